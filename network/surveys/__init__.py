"""Alumni outcome surveys: program staff define a survey, alumni answer it 1 and 3 years after graduation
(or when staff send it), and the program reads the results per graduating class, aggregates only."""
