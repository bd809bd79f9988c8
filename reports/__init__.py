"""What leaves the house as a file: the monthly bulletin (Word, with its workbook), table exports (CSV, XLSX) and the
command line that prints or writes what metrics/ computes. Everything here reads metrics/; nothing here draws a page."""
