using AgentFunctions.Core.Storage;
using AgentQ.Cli;
using AgentQ.Http;

namespace AgentQ.Results;

/// <summary>
/// Downloads a finished task's result and artifacts into a directory, keeping the task's layout
/// (<c>result.json</c>, <c>results/&lt;role&gt;.md</c>, <c>artifacts/&lt;role&gt;/...</c>). Paths come from the
/// server and are checked like untrusted input: nothing is written outside the directory.
/// </summary>
public sealed class ResultDownloader(AgentQClient client)
{
    public const string ResultFileName = "result.json";

    /// <summary>True when <paramref name="path"/> (relative to the task) belongs to <paramref name="role"/>.</summary>
    public static bool BelongsTo(string path, string role)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path == $"results/{role}.md" || path == $"results/{role}.json" || path.StartsWith($"artifacts/{role}/", StringComparison.Ordinal);
    }

    /// <summary>The full local path for an artifact path, or a <see cref="CliException"/> when it would escape <paramref name="root"/>.</summary>
    public static string LocalPath(string root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (ArtifactPath.Explain(path) is { } problem)
        {
            throw new CliException(ExitCode.Error, $"the server listed an unsafe artifact path '{path}': {problem}");
        }

        var full = Path.GetFullPath(Path.Combine(root, path.Replace('/', Path.DirectorySeparatorChar)));
        var prefix = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal)
            ? full
            : throw new CliException(ExitCode.Error, $"the server listed an artifact path outside the task: '{path}'");
    }

    public async Task<IReadOnlyList<DownloadedFile>> DownloadAsync(string taskId, string resultJson, string? role, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resultJson);
        Directory.CreateDirectory(directory);
        var files = new List<DownloadedFile>();

        var resultPath = LocalPath(directory, ResultFileName);
        await File.WriteAllTextAsync(resultPath, resultJson.Trim() + "\n", cancellationToken);
        files.Add(new DownloadedFile(ResultFileName, new FileInfo(resultPath).Length));

        var listing = (await client.GetAsync(client.Api("tasks", taskId, "artifacts"), cancellationToken)).Read<ArtifactListing>();
        foreach (var item in listing.Items.OrderBy(i => i.Path, StringComparer.Ordinal))
        {
            if (item.Path == ResultFileName || (role is not null && !BelongsTo(item.Path, role)))
            {
                continue;
            }

            var local = LocalPath(directory, item.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            var escaped = string.Join('/', item.Path.Split('/').Select(Uri.EscapeDataString));
            var temporary = local + ".agentq-partial";
            try
            {
                await using (var stream = File.Create(temporary))
                {
                    await client.DownloadAsync(client.ApiRaw($"tasks/{Uri.EscapeDataString(taskId)}/artifacts/{escaped}"), stream, cancellationToken);
                }

                // A file appears whole or not at all.
                File.Move(temporary, local, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }

            files.Add(new DownloadedFile(item.Path, new FileInfo(local).Length));
        }

        return files;
    }
}
