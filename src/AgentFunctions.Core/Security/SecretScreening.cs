using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Security;

/// <summary>
/// <c>Security:SecretScan</c> applied to what enters the queue: a submitted spec (refused, or accepted with warnings)
/// and a worker's result (its secrets redacted before it is stored, in both Reject and Flag, with a warning).
/// </summary>
public static class SecretScreening
{
    /// <summary>The findings in a spec, and whether they refuse it; none when scanning is off.</summary>
    public static SpecScreening ScreenSpec(TaskSpec spec, SecretScanMode mode)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (mode == SecretScanMode.Off)
        {
            return SpecScreening.Clean;
        }

        var findings = SecretScanner.ScanSpec(spec);
        return findings.Count == 0
            ? SpecScreening.Clean
            : new SpecScreening(findings, mode == SecretScanMode.Reject, findings.Select(f => "secret scan: " + f.Describe()).ToList());
    }

    /// <summary>The result to store (secrets replaced by <c>[REDACTED:kind]</c>) and a warning per redaction.</summary>
    public static (AgentResult Result, IReadOnlyList<string> Warnings) ScreenResult(AgentResult result, SecretScanMode mode)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (mode == SecretScanMode.Off)
        {
            return (result, []);
        }

        var (redacted, findings) = SecretScanner.RedactResult(result);
        return (redacted, findings.Select(f => "redacted " + f.Describe() + " of the result").ToList());
    }

    /// <summary>A failure reason or progress message with its secrets redacted (no warning: it is not stored as a result).</summary>
    public static string? ScreenText(string field, string? text, SecretScanMode mode) =>
        mode == SecretScanMode.Off ? text : SecretScanner.RedactText(field, text);

    /// <summary>A one-line detail for the 422 answer: the kind and position of each finding, never the secret.</summary>
    public static string Describe(IReadOnlyList<SecretFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var what = findings.Count == 1 ? "a secret" : $"{findings.Count} secrets";
        return $"the task spec contains {what}: {string.Join("; ", findings.Select(f => f.Describe()))}. Nothing was stored; "
            + "pass credentials to workers through a secret store instead of the task";
    }
}
