"""What every use case shares: errors, role guards, the running process, batch lookups, `node`,
live replay.
"""
