using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Text;
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

    /// <summary>
    /// The longest artifact name: <c>tasks/&lt;id&gt;/artifacts/&lt;role&gt;/&lt;name&gt;</c> must stay within
    /// <see cref="ArtifactPath.MaxLength"/> for the longest task id and role, so whether a name fits never
    /// depends on the task it is produced for.
    /// </summary>
    public static readonly int MaxArtifactNameLength = ArtifactPath.MaxLength
        - ArtifactLayout.Artifact(new string('x', Identifiers.MaxTaskIdLength), new string('x', Identifiers.MaxRoleLength), string.Empty).Length;

    /// <summary>
    /// Problems with an agent's result that make it unstorable (bad artifact names, sizes, encodings). A name
    /// that passes fits the stored path of any task and role (<see cref="MaxArtifactNameLength"/>).
    /// </summary>
    public IReadOnlyList<FieldError> Validate(AgentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Check(result, taskId: null, role: null);
    }

    /// <summary>As <see cref="Validate(AgentResult)"/>, and every path the result would be stored under for this task's role is checked too.</summary>
    public IReadOnlyList<FieldError> Validate(string taskId, string role, AgentResult result)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(result);
        return Check(result, taskId, role);
    }

    private List<FieldError> Check(AgentResult result, string? taskId, string? role)
    {
        var errors = new List<FieldError>();
        if (taskId is not null && role is not null)
        {
            foreach (var path in (ReadOnlySpan<string>)[ArtifactLayout.ResultMarkdown(taskId, role), ArtifactLayout.ResultJson(taskId, role)])
            {
                if (ArtifactPath.Explain(path) is { } problem)
                {
                    errors.Add(new FieldError("$", $"'{Snippet.Of(path)}' is not a valid artifact path: {problem}"));
                }
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < result.Artifacts.Count; i++)
        {
            var artifact = result.Artifacts[i];
            var field = $"artifacts[{i}]";
            if (ExplainName(artifact.Name, taskId, role) is { } problem)
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
                size = artifact.GetSize();
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

    /// <summary>Why <paramref name="name"/> cannot name an artifact of any task, or null when it can.</summary>
    public static string? ExplainArtifactName(string? name)
    {
        if (ArtifactPath.Explain(name) is { } problem)
        {
            return problem;
        }

        return name!.Length > MaxArtifactNameLength
            ? $"the name is {name.Length} characters; at most {MaxArtifactNameLength} fit in tasks/<id>/artifacts/<role>/<name>"
            : null;
    }

    /// <summary>Why an artifact name cannot be stored (for this task's role, when given), or null.</summary>
    private static string? ExplainName(string? name, string? taskId, string? role)
    {
        if (ExplainArtifactName(name) is { } problem)
        {
            return problem;
        }

        if (taskId is not null && role is not null)
        {
            var path = ArtifactLayout.Artifact(taskId, role, name!);
            if (ArtifactPath.Explain(path) is { } pathProblem)
            {
                return $"the stored path '{Snippet.Of(path)}' is not valid: {pathProblem}";
            }
        }

        return null;
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

    /// <summary>
    /// Writes the attempt's result and artifacts and returns their references. Every path and content is
    /// checked before the first write, so a result that cannot be stored leaves nothing behind (callers
    /// check with <see cref="Validate(AgentResult)"/> first to answer with the problems).
    /// </summary>
    /// <exception cref="ArgumentException">The result cannot be stored; nothing was written.</exception>
    public async Task<RoleResult> WriteAsync(string taskId, string role, int attempt, AgentResult result, CancellationToken cancellationToken)
    {
        RequireStorable(taskId, role, result);
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
    /// <exception cref="ArgumentException">The result cannot be stored; nothing was written.</exception>
    public async Task WriteDiscardedAsync(string taskId, string role, int attempt, AgentResult result, CancellationToken cancellationToken)
    {
        RequireStorable(taskId, role, result);
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

    /// <summary>
    /// tasks/t/results/r.md becomes tasks/t/discarded/r/attempt-n/results_r.md: flat, and never a real result path.
    /// A flattened name too long for one path segment keeps its start and extension around a hash of the whole,
    /// so that keeping a late result never fails on a name that was valid as a real one.
    /// </summary>
    private static string DiscardedPath(string taskId, string role, int attempt, string path)
    {
        var flat = path[ArtifactLayout.TaskPrefix(taskId).Length..].Replace('/', '_');
        if (flat.Length > ArtifactPath.MaxSegmentLength)
        {
            var hash = "~" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(flat)))[..16];
            var extension = Path.GetExtension(flat);
            extension = extension.Length is > 1 and <= 16 ? extension : string.Empty;
            flat = string.Concat(flat.AsSpan(0, ArtifactPath.MaxSegmentLength - hash.Length - extension.Length), hash, extension);
        }

        return ArtifactLayout.Discarded(taskId, role, attempt, flat);
    }

    private void RequireStorable(string taskId, string role, AgentResult result)
    {
        var problems = Validate(taskId, role, result);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"The result of role '{role}' of task '{taskId}' cannot be stored: {string.Join("; ", problems)}", nameof(result));
        }
    }

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
