"""Reading and writing files: data tables in, result folders out."""
