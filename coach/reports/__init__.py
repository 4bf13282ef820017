"""Reports: records turned into documents. The PDF session report, CSV/JSON exports, the
printed summary of an analysis, and kept pictures drawn with their measured regions."""
