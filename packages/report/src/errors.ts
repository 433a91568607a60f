/** Bad input to a report (a result file that is not one, or of another version): its message is for the user. */
export class ReportError extends Error {
  override name = "ReportError";
}
