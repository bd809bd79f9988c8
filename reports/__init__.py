"""What leaves the house as a file or a message: the monthly bulletin (Word, with its workbook), table exports (CSV,
XLSX), the brief pushed to chat groups (push/) and the command line that prints or writes what metrics/ computes.
Everything here reads metrics/; nothing here draws a page."""
