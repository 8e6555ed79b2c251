"""PDF reports (matplotlib, imported only when a report is asked for)."""

from vagal_coach.report.analysis_pdf import write_analysis_report

__all__ = ["write_analysis_report"]
