"""What the mentoring pages read, a module per job: ``recommendations`` ranks the mentor pool for a mentee;
``mentorships`` reads settings, teams, requests, the workspace and past mentorships. Writes are in
``network.mentorship.services``."""
