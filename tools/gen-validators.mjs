// Placeholder until the validator generator lands (issue 4).
