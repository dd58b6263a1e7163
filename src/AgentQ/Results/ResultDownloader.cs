using AgentFunctions.Core.Contracts;
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

    private const string PartialSuffix = ".agentq-partial";

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

    /// <summary>
    /// Writes <c>result.json</c> and the artifacts (only <paramref name="role"/>'s when given) into <paramref name="directory"/>.
    /// A local write failure (a file in the way, no permission, a full disk) is one <see cref="CliException"/> line,
    /// <c>cannot write DIR: reason</c> (exit 1); every file appears whole or not at all.
    /// </summary>
    public async Task<IReadOnlyList<DownloadedFile>> DownloadAsync(string taskId, string resultJson, string? role, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resultJson);
        ArgumentNullException.ThrowIfNull(directory);
        if (File.Exists(directory))
        {
            throw CannotWrite(directory, "it is a file, not a directory");
        }

        var files = new List<DownloadedFile>();
        var current = directory;
        try
        {
            Directory.CreateDirectory(directory);
            var resultPath = current = LocalPath(directory, ResultFileName);
            await WriteWholeAsync(resultPath, stream => stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(resultJson.Trim() + "\n"), cancellationToken).AsTask());
            files.Add(new DownloadedFile(ResultFileName, new FileInfo(resultPath).Length));

            var listing = (await client.GetAsync(client.Api("tasks", taskId, "artifacts"), cancellationToken)).Read<ArtifactListing>();
            foreach (var item in listing.Items.OrderBy(i => i.Path, StringComparer.Ordinal))
            {
                if (item.Path == ResultFileName || (role is not null && !BelongsTo(item.Path, role)))
                {
                    continue;
                }

                var local = current = LocalPath(directory, item.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                var escaped = string.Join('/', item.Path.Split('/').Select(Uri.EscapeDataString));
                await WriteWholeAsync(local, stream => client.DownloadAsync(client.ApiRaw($"tasks/{Uri.EscapeDataString(taskId)}/artifacts/{escaped}"), stream, cancellationToken));
                files.Add(new DownloadedFile(item.Path, new FileInfo(local).Length));
            }
        }
        catch (UnauthorizedAccessException ex)
        {
            var where = current == directory ? string.Empty : $" ({Path.GetRelativePath(directory, current)})";
            throw CannotWrite(directory, "permission denied" + where, ex);
        }
        catch (IOException ex) when (ex is not HttpIOException)
        {
            // HttpIOException is the network side of a download (AgentQClient reports it); anything else here is the local disk.
            throw CannotWrite(directory, ex.Message.Replace(PartialSuffix, string.Empty, StringComparison.Ordinal).TrimEnd('.', ' '), ex);
        }

        return files;
    }

    /// <summary>Writes through a temporary file, so <paramref name="path"/> appears whole or not at all.</summary>
    internal static async Task WriteWholeAsync(string path, Func<Stream, Task> write)
    {
        var temporary = path + PartialSuffix;
        try
        {
            await using (var stream = File.Create(temporary))
            {
                await write(stream);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static CliException CannotWrite(string directory, string reason, Exception? inner = null) =>
        inner is null
            ? new CliException(ExitCode.Error, $"cannot write {directory}: {reason}")
            : new CliException(ExitCode.Error, $"cannot write {directory}: {reason}", inner);
}
