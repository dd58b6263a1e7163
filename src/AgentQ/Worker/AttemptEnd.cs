namespace AgentQ.Worker;

/// <summary>How one leased attempt ended, as the worker logs it (a stderr line, or an <c>attempt</c> event with --json).</summary>
/// <param name="Outcome">One of <see cref="AttemptOutcomes"/>.</param>
/// <param name="Text">The outcome in words, as the log line shows it ("failed with exit code 3 (permanent)").</param>
/// <param name="Reported">The server accepted the report.</param>
/// <param name="Detail">The summary, reason or refusal behind the outcome.</param>
/// <param name="Permanent">For a failure: reported as permanent.</param>
/// <param name="ExitCode">The program's exit code when it ended by itself.</param>
public sealed record AttemptEnd(string Outcome, string Text, bool Reported, string? Detail = null, bool? Permanent = null, int? ExitCode = null);
