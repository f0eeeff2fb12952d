"""Interview transcripts: read real exports, find the candidate and the
closing, label the closing, and batch-score thousands of files."""

from .batch import iter_transcript_paths, score_file, score_transcripts
from .readers import FORMATS, detect_format, parse_transcript, read_transcript
from .scoring import ClosingUtterance, TranscriptResult, score_transcript
from .types import Transcript, TranscriptError, Turn

__all__ = ["score_transcript", "score_transcripts", "score_file", "TranscriptResult", "ClosingUtterance",
           "Transcript", "Turn", "TranscriptError", "read_transcript", "parse_transcript", "detect_format",
           "iter_transcript_paths", "FORMATS"]
