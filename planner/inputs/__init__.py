"""The coordinator's files: communes, resources, host requests and locked sessions, in the French
spreadsheet shapes people have (CSV or Excel); every refusal names the file, line and column."""
