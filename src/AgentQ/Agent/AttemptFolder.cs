using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentQ.Cli;
using AgentQ.Http;
using AgentQ.Results;

namespace AgentQ.Agent;

/// <summary>
/// The files of a taken attempt, for an agent to read: <c>prompt.md</c> (everything it is asked), <c>context.md</c>,
/// <c>spec.json</c> (the task as submitted), <c>inputs/&lt;role&gt;.md</c> (earlier stages' results) and
/// <c>attempt.json</c> (the whole envelope). Each file appears whole or not at all.
/// </summary>
public sealed class AttemptFolder(AgentQClient client)
{
    public const string PromptFile = "prompt.md";
    public const string ContextFile = "context.md";
    public const string SpecFile = "spec.json";
    public const string AttemptFile = "attempt.json";
    public const string InputsDirectory = "inputs";

    /// <summary>
    /// Writes the files from the lease answer, downloading only what it lacks (the spec, a context or earlier result kept
    /// as an artifact). Returns the paths written, relative to <paramref name="directory"/>, and the downloads the key was
    /// not allowed (a key scoped only to <c>worker:&lt;role&gt;</c> may not read tasks): those files are left out, the rest
    /// stand. Local write failures throw (exit 1).
    /// </summary>
    public async Task<AttemptFiles> WriteAsync(LeaseGrant grant, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var files = new List<string>();
        var refused = new List<string>();
        var attempt = grant.Input;
        try
        {
            Directory.CreateDirectory(directory);
            await WriteTextAsync(directory, PromptFile, grant.Prompt, files);
            if (attempt.Context is { } context)
            {
                await WriteTextAsync(directory, ContextFile, context, files);
            }
            else if (attempt.ContextRef is not null)
            {
                await DownloadAsync(grant.TaskId, ContextFile, directory, ContextFile, files, refused, cancellationToken);
            }

            await DownloadAsync(grant.TaskId, SpecFile, directory, SpecFile, files, refused, cancellationToken);
            foreach (var input in attempt.Inputs)
            {
                var name = $"{InputsDirectory}/{input.Role}.md";
                if (input.Content is { } content)
                {
                    await WriteTextAsync(directory, name, content, files);
                }
                else if (input.ResultRef is { } resultRef && resultRef.StartsWith($"tasks/{grant.TaskId}/", StringComparison.Ordinal))
                {
                    await DownloadAsync(grant.TaskId, resultRef[$"tasks/{grant.TaskId}/".Length..], directory, name, files, refused, cancellationToken);
                }
            }

            await WriteTextAsync(directory, AttemptFile, JsonSerializer.Serialize(attempt, CliJson.Output) + "\n", files);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CliException(ExitCode.Error, $"cannot write {directory}: permission denied", ex);
        }
        catch (IOException ex) when (ex is not HttpIOException)
        {
            throw new CliException(ExitCode.Error, $"cannot write {directory}: {ex.Message}", ex);
        }

        return new AttemptFiles(files, refused);
    }

    private static async Task WriteTextAsync(string directory, string name, string text, List<string> files)
    {
        var path = ResultDownloader.LocalPath(directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await ResultDownloader.WriteWholeAsync(path, stream => stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask());
        files.Add(name);
    }

    /// <summary>An artifact of the task (a path below <c>tasks/&lt;id&gt;/</c>); one the server does not have is left out.</summary>
    private async Task DownloadAsync(string taskId, string artifact, string directory, string name, List<string> files, List<string> refused, CancellationToken cancellationToken)
    {
        var escaped = string.Join('/', artifact.Split('/').Select(Uri.EscapeDataString));
        var uri = client.ApiRaw($"tasks/{Uri.EscapeDataString(taskId)}/artifacts/{escaped}");
        var path = ResultDownloader.LocalPath(directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            await ResultDownloader.WriteWholeAsync(path, stream => client.DownloadAsync(uri, stream, cancellationToken));
            files.Add(name);
        }
        catch (CliException ex) when (ex.ExitCode == ExitCode.NotFound)
        {
            // Nothing stored under that name (an old task, a purge): the prompt still says what to do.
        }
        catch (CliException ex) when (ex.ExitCode == ExitCode.Unauthorized)
        {
            // The key may work the role but not read the task's artifacts: the prompt still carries the work.
            refused.Add(name);
        }
    }
}
