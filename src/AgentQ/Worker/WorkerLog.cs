using System.Globalization;
using AgentFunctions.Core.Contracts;

namespace AgentQ.Worker;

/// <summary>The worker's stderr: one line per attempt, plus start, stop and connection trouble.</summary>
public sealed class WorkerLog(TextWriter stderr, TimeProvider time)
{
    private readonly Lock _gate = new();

    public void Info(string message) => Write(message);

    /// <summary>"review t-1 attempt 2/5 completed in 3.4s: summary".</summary>
    public void Attempt(LeaseGrant grant, string outcome, TimeSpan duration, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var max = grant.MaxAttempts > 0 ? "/" + grant.MaxAttempts.ToString(CultureInfo.InvariantCulture) : string.Empty;
        var seconds = duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        var tail = string.IsNullOrWhiteSpace(detail) ? string.Empty : ": " + Output.Fmt.Short(detail, 160);
        Write(string.Create(CultureInfo.InvariantCulture, $"{grant.Role} {grant.TaskId} attempt {grant.Attempt}{max} {outcome} in {seconds}s{tail}"));
    }

    private void Write(string message)
    {
        var line = $"agentq worker {time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} {message}";
        lock (_gate)
        {
            stderr.WriteLine(line);
            stderr.Flush();
        }
    }
}
