using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Security;

/// <summary>
/// Finds high-confidence secrets (<see cref="SecretRules"/>) in what travels through the queue: a task's
/// instructions, context and payload at the door, and the texts of a worker's result, which are stored with each
/// secret replaced by <c>[REDACTED:kind]</c>. Findings name the field, kind and position, never the secret.
/// </summary>
public static class SecretScanner
{
    /// <summary>What a redacted secret becomes in stored text.</summary>
    public static string Placeholder(string kind) => $"[REDACTED:{kind}]";

    /// <summary>The secrets in one text, in order of position (overlapping matches of several kinds count once).</summary>
    public static IReadOnlyList<SecretFinding> Scan(string field, string? text)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var matches = new List<(int Index, int Length, string Kind)>();
        foreach (var rule in SecretRules.All)
        {
            try
            {
                for (var match = rule.Pattern.Match(text); match.Success; match = match.NextMatch())
                {
                    if (rule.Accept is null || rule.Accept(match.Value))
                    {
                        matches.Add((match.Index, match.Length, rule.Kind));
                    }
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological text for one pattern: the other patterns still run; this one found nothing in time.
            }
        }

        matches.Sort((a, b) => a.Index != b.Index ? a.Index.CompareTo(b.Index) : b.Length.CompareTo(a.Length));
        var findings = new List<SecretFinding>(matches.Count);
        var end = -1;
        var line = 1;
        var lineStart = 0;
        var counted = 0;
        foreach (var (index, length, kind) in matches)
        {
            if (index < end)
            {
                continue; // inside a secret already found (e.g. an account key within a private key's body)
            }

            for (; counted < index; counted++)
            {
                if (text[counted] == '\n')
                {
                    line++;
                    lineStart = counted + 1;
                }
            }

            findings.Add(new SecretFinding(field, kind, line, index - lineStart + 1, index, length));
            end = index + length;
        }

        return findings;
    }

    /// <summary>The secrets in a submitted task: its instructions, context and payload (every string of a JSON payload, by path).</summary>
    public static IReadOnlyList<SecretFinding> ScanSpec(TaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var findings = new List<SecretFinding>();
        findings.AddRange(Scan("instructions", spec.Instructions));
        findings.AddRange(Scan("context", spec.Context));
        if (spec.Payload is { } payload && payload.Content.ValueKind != JsonValueKind.Undefined)
        {
            ScanJson(payload.Content, "payload.content", findings);
        }

        return findings;
    }

    /// <summary>The text with every secret replaced by <see cref="Placeholder"/>, and what was replaced.</summary>
    public static (string Text, IReadOnlyList<SecretFinding> Findings) Redact(string field, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = Scan(field, text);
        if (findings.Count == 0)
        {
            return (text, findings);
        }

        var redacted = new StringBuilder(text.Length);
        var position = 0;
        foreach (var finding in findings)
        {
            redacted.Append(text, position, finding.Offset - position).Append(Placeholder(finding.Kind));
            position = finding.Offset + finding.Length;
        }

        redacted.Append(text, position, text.Length - position);
        return (redacted.ToString(), findings);
    }

    /// <summary>
    /// A worker's result with its secrets redacted: summary, result and every artifact that is text (UTF-8, or base64
    /// of valid UTF-8 without NUL bytes; binary artifacts are kept as they are). Null findings when nothing changed.
    /// </summary>
    public static (AgentResult Result, IReadOnlyList<SecretFinding> Findings) RedactResult(AgentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var findings = new List<SecretFinding>();
        string? Clean(string field, string? text)
        {
            if (text is null)
            {
                return null;
            }

            var (clean, found) = Redact(field, text);
            findings.AddRange(found);
            return clean;
        }

        var summary = Clean("summary", result.Summary);
        var body = Clean("result", result.Result);
        var artifacts = new List<AgentArtifact>(result.Artifacts.Count);
        foreach (var artifact in result.Artifacts)
        {
            var field = $"artifacts[{artifact.Name}]";
            if (string.Equals(artifact.Encoding, "base64", StringComparison.OrdinalIgnoreCase))
            {
                if (TryDecodeText(artifact) is { } decoded)
                {
                    var (clean, found) = Redact(field, decoded);
                    findings.AddRange(found);
                    artifacts.Add(found.Count == 0 ? artifact : AgentArtifact.FromBytes(artifact.Name, Encoding.UTF8.GetBytes(clean), artifact.ContentType));
                }
                else
                {
                    artifacts.Add(artifact);
                }
            }
            else
            {
                artifacts.Add(artifact with { Content = Clean(field, artifact.Content)! });
            }
        }

        return findings.Count == 0
            ? (result, findings)
            : (result with { Summary = summary, Result = body, Artifacts = artifacts }, findings);
    }

    /// <summary>Redacts a short text (a failure reason, a progress message); the text itself when it holds no secret.</summary>
    public static string? RedactText(string field, string? text) => text is null ? null : Redact(field, text).Text;

    private static void ScanJson(JsonElement element, string path, List<SecretFinding> findings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                findings.AddRange(Scan(path, element.GetString()));
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    // A property name can carry a secret as well ({ "ghp_...": true }); the path then never spells it.
                    var inName = Scan($"{path} (a property name)", property.Name);
                    findings.AddRange(inName);
                    var child = inName.Count > 0 ? $"{path}[?]"
                        : IsPlainName(property.Name) ? $"{path}.{property.Name}"
                        : $"{path}[{JsonSerializer.Serialize(property.Name)}]";
                    ScanJson(property.Value, child, findings);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    ScanJson(item, $"{path}[{index++}]", findings);
                }

                break;
        }
    }

    private static bool IsPlainName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>The text a base64 artifact holds, or null when it is binary (or not base64 at all).</summary>
    private static string? TryDecodeText(AgentArtifact artifact)
    {
        try
        {
            var bytes = artifact.GetBytes();
            if (bytes.AsSpan().Contains((byte)0))
            {
                return null;
            }

            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
        {
            return null;
        }
    }
}
