using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Storage;

/// <summary>
/// Stores what an attempt produced in the artifact layout (<c>results/&lt;role&gt;.md</c> and
/// <c>.json</c>, named artifacts) and returns the references the decider keeps. Both engines
/// and every runner kind go through here, so the layout is written in one place.
/// </summary>
public sealed class AttemptResultWriter(IArtifactStore artifacts, TaskLimits limits, TimeProvider time)
{
    private const string Markdown = "text/markdown; charset=utf-8";
    private const string JsonType = "application/json";

    /// <summary>Problems with an agent's result that make it unstorable (bad artifact names, sizes, encodings).</summary>
    public IReadOnlyList<FieldError> Validate(AgentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var errors = new List<FieldError>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < result.Artifacts.Count; i++)
        {
            var artifact = result.Artifacts[i];
            var field = $"artifacts[{i}]";
            if (ArtifactPath.Explain(artifact.Name) is { } problem)
            {
                errors.Add(new FieldError(field + ".name", problem));
                continue;
            }

            if (!names.Add(artifact.Name))
            {
                errors.Add(new FieldError(field + ".name", $"'{artifact.Name}' appears more than once"));
            }

            if (artifact.Encoding is not ("utf-8" or "base64"))
            {
                errors.Add(new FieldError(field + ".encoding", "must be \"utf-8\" or \"base64\""));
                continue;
            }

            long size;
            try
            {
                size = artifact.GetBytes().LongLength;
            }
            catch (FormatException)
            {
                errors.Add(new FieldError(field + ".content", "is not valid base64"));
                continue;
            }

            if (size > limits.MaxArtifactBytes)
            {
                errors.Add(new FieldError(field + ".content", $"is {size} bytes; the limit is {limits.MaxArtifactBytes}", TooLarge: true));
            }
        }

        var resultBytes = Encoding.UTF8.GetByteCount(result.Result ?? string.Empty);
        if (resultBytes > limits.MaxArtifactBytes)
        {
            errors.Add(new FieldError("result", $"is {resultBytes} bytes; the limit is {limits.MaxArtifactBytes}", TooLarge: true));
        }

        return errors;
    }

    /// <summary>The references the decider keeps for an attempt's result, without writing anything.</summary>
    public static RoleResult Describe(string taskId, string role, AgentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new RoleResult
        {
            Summary = Summarize(result),
            ResultRef = ArtifactLayout.ResultMarkdown(taskId, role),
            Artifacts = result.Artifacts.Select(a => ArtifactLayout.Artifact(taskId, role, a.Name)).ToList(),
            Usage = result.Usage,
        };
    }

    /// <summary>Writes the attempt's result and artifacts (call <see cref="Validate"/> first) and returns their references.</summary>
    public async Task<RoleResult> WriteAsync(string taskId, string role, int attempt, AgentResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var roleResult = Describe(taskId, role, result);
        for (var i = 0; i < result.Artifacts.Count; i++)
        {
            var artifact = result.Artifacts[i];
            await artifacts.WriteAsync(roleResult.Artifacts[i], artifact.GetBytes(), artifact.ContentType, cancellationToken);
        }

        await artifacts.WriteAsync(roleResult.ResultRef!, Encoding.UTF8.GetBytes(result.Result ?? result.Summary ?? string.Empty), Markdown, cancellationToken);
        var record = new
        {
            taskId,
            role,
            attempt,
            status = result.Status,
            summary = roleResult.Summary,
            resultRef = roleResult.ResultRef,
            artifacts = roleResult.Artifacts,
            usage = result.Usage,
            writtenAt = time.GetUtcNow(),
        };
        await artifacts.WriteAsync(ArtifactLayout.ResultJson(taskId, role), JsonSerializer.SerializeToUtf8Bytes(record, CoreJson.Indented), JsonType, cancellationToken);
        return roleResult;
    }

    /// <summary>Keeps a result that arrived after its role was canceled in the discarded folder, apart from real results.</summary>
    public async Task WriteDiscardedAsync(string taskId, string role, int attempt, AgentResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var refs = Describe(taskId, role, result);
        for (var i = 0; i < result.Artifacts.Count; i++)
        {
            await artifacts.WriteAsync(DiscardedPath(taskId, role, attempt, refs.Artifacts[i]), result.Artifacts[i].GetBytes(), result.Artifacts[i].ContentType, cancellationToken);
        }

        await artifacts.WriteAsync(DiscardedPath(taskId, role, attempt, refs.ResultRef!), Encoding.UTF8.GetBytes(result.Result ?? result.Summary ?? string.Empty), Markdown, cancellationToken);
    }

    /// <summary>Moves a result that arrived after its task ended to the discarded folder.</summary>
    public async Task DiscardAsync(string taskId, string role, int attempt, RoleResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var paths = result.Artifacts.Append(ArtifactLayout.ResultJson(taskId, role));
        if (result.ResultRef is not null)
        {
            paths = paths.Append(result.ResultRef);
        }

        var prefix = ArtifactLayout.TaskPrefix(taskId);
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            if (!path.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            await using var content = await artifacts.OpenReadAsync(path, cancellationToken);
            if (content is null)
            {
                continue;
            }

            using var buffer = new MemoryStream();
            await content.Content.CopyToAsync(buffer, cancellationToken);
            await artifacts.WriteAsync(DiscardedPath(taskId, role, attempt, path), buffer.ToArray(), content.Info.ContentType, cancellationToken);
            await artifacts.DeleteAsync(path, cancellationToken);
        }
    }

    /// <summary>tasks/t/results/r.md becomes tasks/t/discarded/r/attempt-n/results_r.md: flat, and never a real result path.</summary>
    private static string DiscardedPath(string taskId, string role, int attempt, string path) =>
        ArtifactLayout.Discarded(taskId, role, attempt, path[ArtifactLayout.TaskPrefix(taskId).Length..].Replace('/', '_'));

    private static string? Summarize(AgentResult result)
    {
        if (!string.IsNullOrWhiteSpace(result.Summary))
        {
            return result.Summary.Trim();
        }

        var firstLine = result.Result?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return firstLine is null ? null : firstLine.Length <= 200 ? firstLine : firstLine[..200];
    }
}
