"""Attachments: files uploaded by the browser straight to S3, checked after upload, counted
against the workspace's quota, and served through short-lived presigned GETs."""
