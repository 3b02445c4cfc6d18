"""The controlled vocabulary: specialties and training backgrounds."""
