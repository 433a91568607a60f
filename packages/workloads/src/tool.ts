/** What a tool printed and its exit status. */
export interface ToolOutput {
  stdout: string;
  stderr: string;
  status: number;
}
