using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// Reads what an agent answered. One JSON object with a <c>status</c> of <c>completed</c>,
/// <c>needs_approval</c> or <c>failed</c> is a structured agent result; any other text is a completed
/// markdown result. Never throws on agent output: agents are untrusted and a parse error must not
/// turn a finished piece of work into a retry. Host-neutral, shared by the runners and the CLI worker.
/// </summary>
public static class AgentResultParser
{
    /// <summary>Summaries derived from text are cut to this many characters.</summary>
    public const int MaxSummaryLength = 200;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Parses an agent's answer text (stdout of a command, a model's reply, a worker's output).</summary>
    public static AgentResult Parse(string? text)
    {
        text ??= string.Empty;
        var json = UnwrapJsonCandidate(text);
        if (json is not null)
        {
            try
            {
                using var document = JsonDocument.Parse(json, DocumentOptions);
                if (TryParseJson(document.RootElement, out var structured))
                {
                    return structured;
                }
            }
            catch (JsonException)
            {
                // Looked like JSON but is not: the text itself is the result.
            }
        }

        return PlainText(text);
    }

    /// <summary>
    /// Reads a JSON agent result (e.g. an HTTP agent's response body). False when the element is not an
    /// object with a known <c>status</c>, or when a field has the wrong shape.
    /// </summary>
    public static bool TryParseJson(JsonElement element, [NotNullWhen(true)] out AgentResult? result)
    {
        result = null;
        if (element.ValueKind != JsonValueKind.Object
            || !TryGetProperty(element, "status", out var statusElement)
            || statusElement.ValueKind != JsonValueKind.String
            || !Names.TryParse<AgentResultStatus>(statusElement.GetString()?.Trim(), out var status))
        {
            return false;
        }

        if (!TryReadOptionalString(element, "summary", out var summary)
            || !TryReadOptionalString(element, "result", out var markdown)
            || !TryReadPermanent(element, out var permanent)
            || !TryReadArtifacts(element, out var artifacts)
            || !TryReadUsage(element, out var usage))
        {
            return false;
        }

        summary = string.IsNullOrWhiteSpace(summary) ? null : summary.Trim();
        summary ??= status switch
        {
            AgentResultStatus.Failed => FirstLineSummary(markdown) ?? "the agent reported a failure without a message",
            _ => FirstLineSummary(markdown),
        };

        result = new AgentResult
        {
            Status = status,
            Summary = summary,
            Result = markdown,
            Artifacts = artifacts,
            // Only a failure can be permanent; the flag means nothing on a success.
            Permanent = status == AgentResultStatus.Failed && permanent,
            Usage = usage,
        };
        return true;
    }

    /// <summary>The first non-empty line of <paramref name="text"/>, trimmed and cut to <see cref="MaxSummaryLength"/>.</summary>
    public static string? FirstLineSummary(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (!line.IsEmpty)
            {
                return Truncate(line.ToString(), MaxSummaryLength);
            }
        }

        return null;
    }

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="maxLength"/> characters, ending in '…' when cut.</summary>
    public static string Truncate(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (text.Length <= maxLength)
        {
            return text;
        }

        var cut = maxLength - 1;
        // Never split a surrogate pair: half an emoji is not text.
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), "…");
    }

    private static AgentResult PlainText(string text) => new()
    {
        Status = AgentResultStatus.Completed,
        Result = text,
        Summary = FirstLineSummary(text),
    };

    /// <summary>
    /// The JSON object an answer may be: the trimmed text itself, or the body of one fenced code block
    /// (models like to wrap JSON in <c>```json</c>). Null when the text cannot be a JSON object.
    /// </summary>
    private static string? UnwrapJsonCandidate(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.StartsWith("```", StringComparison.Ordinal) && trimmed.Length > 6 && trimmed.EndsWith("```", StringComparison.Ordinal))
        {
            var inner = trimmed[3..^3];
            var firstNewLine = inner.IndexOf('\n');
            if (firstNewLine < 0)
            {
                return null;
            }

            var info = inner[..firstNewLine].Trim();
            if (!info.IsEmpty && !info.Equals("json", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            trimmed = inner[(firstNewLine + 1)..].Trim();
        }

        return trimmed.Length >= 2 && trimmed[0] == '{' && trimmed[^1] == '}' ? trimmed.ToString() : null;
    }

    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        // Agents are not always careful with case; the contract dialect reads case-insensitively too.
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static bool TryReadOptionalString(JsonElement element, string name, out string? value)
    {
        value = null;
        if (!TryGetProperty(element, name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (property.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = property.GetString();
        return true;
    }

    private static bool TryReadPermanent(JsonElement element, out bool permanent)
    {
        permanent = false;
        if (!TryGetProperty(element, "permanent", out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        switch (property.ValueKind)
        {
            case JsonValueKind.True:
                permanent = true;
                return true;
            case JsonValueKind.False:
                return true;
            default:
                return false;
        }
    }

    private static bool TryReadArtifacts(JsonElement element, out IReadOnlyList<AgentArtifact> artifacts)
    {
        artifacts = [];
        if (!TryGetProperty(element, "artifacts", out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (property.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var list = new List<AgentArtifact>(property.GetArrayLength());
        foreach (var item in property.EnumerateArray())
        {
            if (!TryReadArtifact(item, out var artifact))
            {
                return false;
            }

            list.Add(artifact);
        }

        artifacts = list;
        return true;
    }

    private static bool TryReadArtifact(JsonElement item, [NotNullWhen(true)] out AgentArtifact? artifact)
    {
        artifact = null;
        if (item.ValueKind != JsonValueKind.Object
            || !TryReadOptionalString(item, "name", out var name)
            || !TryReadOptionalString(item, "content", out var content)
            || !TryReadOptionalString(item, "encoding", out var encoding)
            || !TryReadOptionalString(item, "contentType", out var contentType)
            || string.IsNullOrWhiteSpace(name)
            || content is null)
        {
            return false;
        }

        encoding = string.IsNullOrWhiteSpace(encoding) ? "utf-8" : encoding.Trim().ToLowerInvariant();
        switch (encoding)
        {
            case "utf-8" or "utf8" or "text":
                encoding = "utf-8";
                break;
            case "base64":
                // Checked here so that a bad artifact is caught with the answer, not when it is stored.
                var buffer = new byte[(content.Length * 3 / 4) + 3];
                if (!Convert.TryFromBase64String(content, buffer, out _))
                {
                    return false;
                }

                break;
            default:
                return false;
        }

        artifact = new AgentArtifact
        {
            Name = name,
            Content = content,
            Encoding = encoding,
            ContentType = string.IsNullOrWhiteSpace(contentType) ? null : contentType.Trim(),
        };
        return true;
    }

    private static bool TryReadUsage(JsonElement element, out AgentUsage? usage)
    {
        usage = null;
        if (!TryGetProperty(element, "usage", out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (property.ValueKind != JsonValueKind.Object
            || !TryReadCount(property, "inputTokens", out var input)
            || !TryReadCount(property, "outputTokens", out var output)
            || !TryReadCost(property, out var cost))
        {
            return false;
        }

        usage = new AgentUsage { InputTokens = input, OutputTokens = output, CostUsd = cost };
        return true;
    }

    private static bool TryReadCount(JsonElement usage, string name, out long value)
    {
        value = 0;
        if (!TryGetProperty(usage, name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        return property.ValueKind == JsonValueKind.Number && property.TryGetInt64(out value) && value >= 0;
    }

    private static bool TryReadCost(JsonElement usage, out decimal value)
    {
        value = 0;
        if (!TryGetProperty(usage, "costUsd", out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        return property.ValueKind switch
        {
            JsonValueKind.Number => property.TryGetDecimal(out value) && value >= 0,
            // Some agents send money as a string to keep its precision.
            JsonValueKind.String => decimal.TryParse(property.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out value) && value >= 0,
            _ => false,
        };
    }
}
