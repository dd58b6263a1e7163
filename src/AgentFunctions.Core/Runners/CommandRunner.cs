using System.Globalization;
using System.Text;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// The <c>command</c> runner: runs the role's program with the prompt as <c>{input}</c> and on stdin.
/// Exit 0 means the result is on stdout; files the program writes to <c>$AGENTQ_ARTIFACTS_DIR</c> become
/// artifacts. A non-zero exit is transient unless the role lists the code as permanent.
/// </summary>
public sealed partial class CommandRunner : IAgentRunner
{
    public const string TaskIdVariable = "AGENTQ_TASK_ID";
    public const string RoleVariable = "AGENTQ_ROLE";
    public const string AttemptVariable = "AGENTQ_ATTEMPT";
    public const string ArtifactsDirectoryVariable = "AGENTQ_ARTIFACTS_DIR";

    /// <summary>How much of stderr a failure message carries.</summary>
    public const int MaxErrorTailChars = 2000;

    /// <summary>Largest file taken from the artifacts directory (the default artifact limit of DESIGN).</summary>
    public const long MaxArtifactBytes = 10 * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly RoleDefinition _role;
    private readonly AgentProcess _process;
    private readonly ILogger<CommandRunner> _logger;

    public CommandRunner(RoleDefinition role, AgentProcess process, ILogger<CommandRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(logger);
        _role = role;
        _process = process;
        _logger = logger;
    }

    public async Task<AgentResult> RunAsync(AgentAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        cancellationToken.ThrowIfCancellationRequested();
        if (_role.Command.Count == 0 || string.IsNullOrWhiteSpace(_role.Command[0]))
        {
            return AgentResult.Failed($"role '{_role.Name}' has no command to run", permanent: true);
        }

        var program = _role.Command[0];
        var artifactsDirectory = Directory.CreateTempSubdirectory("agentq-artifacts-");
        try
        {
            var run = await _process.RunAsync(
                new ProcessRunRequest
                {
                    Command = _role.Command,
                    Input = attempt.Prompt,
                    WorkingDirectory = _role.WorkingDirectory,
                    Environment = new Dictionary<string, string?>
                    {
                        [TaskIdVariable] = attempt.TaskId,
                        [RoleVariable] = attempt.Role,
                        [AttemptVariable] = attempt.Attempt.ToString(CultureInfo.InvariantCulture),
                        [ArtifactsDirectoryVariable] = artifactsDirectory.FullName,
                    },
                    Timeout = _role.Timeout,
                    MaxOutputBytes = _role.MaxOutputBytes,
                },
                cancellationToken);

            if (run.Canceled)
            {
                // The engine discards a cancelled attempt; it is neither a success nor a failure.
                throw new OperationCanceledException($"'{program}' was cancelled", cancellationToken);
            }

            if (!run.Started)
            {
                // Retrying cannot make a missing program appear.
                return AgentResult.Failed(run.StartError!, permanent: true);
            }

            if (run.TimedOut)
            {
                LogTimedOut(_logger, _role.Name, attempt.TaskId, attempt.Attempt, _role.Timeout.TotalSeconds);
                return AgentResult.Failed(AppendTail($"'{program}' timed out after {Seconds(_role.Timeout)}s; its process tree was killed", run.StandardError), permanent: false);
            }

            if (run.ExitCode != 0)
            {
                var kind = FailureClassifier.FromExitCode(run.ExitCode, _role.PermanentExitCodes);
                LogFailedExit(_logger, _role.Name, attempt.TaskId, attempt.Attempt, run.ExitCode, kind);
                var output = string.IsNullOrWhiteSpace(run.StandardError) ? run.StandardOutput : run.StandardError;
                return AgentResult.Failed(
                    AppendTail(string.Create(CultureInfo.InvariantCulture, $"'{program}' exited with code {run.ExitCode}"), output),
                    permanent: kind == FailureKind.Permanent);
            }

            return CompletedRun(run, artifactsDirectory, attempt);
        }
        finally
        {
            DeleteQuietly(artifactsDirectory);
        }
    }

    /// <summary>Exit 0: stdout is the answer, the artifacts directory holds its files.</summary>
    private AgentResult CompletedRun(ProcessRunResult run, DirectoryInfo artifactsDirectory, AgentAttempt attempt)
    {
        var parsed = AgentResultParser.Parse(run.StandardOutput);
        var notes = new List<string>();
        if (run.StandardOutputTruncated)
        {
            LogOutputTruncated(_logger, _role.Name, attempt.TaskId, run.StandardOutputBytes, _role.MaxOutputBytes);
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"The output was cut to its first {_role.MaxOutputBytes} of {run.StandardOutputBytes} bytes."));
        }

        var artifacts = parsed.Artifacts.ToList();
        var names = artifacts.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var artifact in CollectArtifacts(artifactsDirectory, notes))
        {
            // An artifact the agent also listed in its JSON answer keeps the listed version.
            if (names.Add(artifact.Name))
            {
                artifacts.Add(artifact);
            }
        }

        var result = parsed.Result;
        if (notes.Count > 0)
        {
            result = $"{result?.TrimEnd()}\n\n> Note from the command runner: {string.Join(" ", notes)}\n";
        }

        return parsed with { Result = result, Artifacts = artifacts };
    }

    /// <summary>Every regular file under <paramref name="root"/> as an artifact named by its relative path.</summary>
    private List<AgentArtifact> CollectArtifacts(DirectoryInfo root, List<string> notes)
    {
        var artifacts = new List<AgentArtifact>();
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            // Links could point anywhere on the machine; only what the program wrote here counts. Dotfiles are kept.
            AttributesToSkip = FileAttributes.ReparsePoint,
            IgnoreInaccessible = true,
        };

        foreach (var file in root.EnumerateFiles("*", options).OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(root.FullName, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (ArtifactPath.Explain(name) is { } problem)
            {
                LogArtifactSkipped(_logger, _role.Name, name, problem);
                notes.Add($"Skipped the artifact file '{name}': {problem}.");
                continue;
            }

            if (file.Length > MaxArtifactBytes)
            {
                LogArtifactSkipped(_logger, _role.Name, name, "too large");
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"Skipped the artifact file '{name}': {file.Length} bytes is more than {MaxArtifactBytes}."));
                continue;
            }

            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file.FullName);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                LogArtifactSkipped(_logger, _role.Name, name, exception.Message);
                notes.Add($"Skipped the artifact file '{name}': {exception.Message}");
                continue;
            }

            artifacts.Add(ToArtifact(name, bytes));
        }

        return artifacts;
    }

    internal static AgentArtifact ToArtifact(string name, byte[] bytes)
    {
        try
        {
            return new AgentArtifact { Name = name, Content = StrictUtf8.GetString(bytes), Encoding = "utf-8" };
        }
        catch (DecoderFallbackException)
        {
            return new AgentArtifact { Name = name, Content = Convert.ToBase64String(bytes), Encoding = "base64" };
        }
    }

    private static string AppendTail(string message, string output)
    {
        var trimmed = output.Trim();
        if (trimmed.Length == 0)
        {
            return message;
        }

        var tail = trimmed.Length <= MaxErrorTailChars ? trimmed : "…" + trimmed[^(MaxErrorTailChars - 1)..];
        return $"{message}: {tail}";
    }

    private static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private void DeleteQuietly(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A leftover temp directory is untidy, not a reason to fail an attempt that already ended.
            LogCleanupFailed(_logger, directory.FullName, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Role {Role} task {TaskId} attempt {Attempt}: the command timed out after {Seconds} s")]
    private static partial void LogTimedOut(ILogger logger, string role, string taskId, int attempt, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Role {Role} task {TaskId} attempt {Attempt}: the command exited with code {ExitCode} ({Kind} failure)")]
    private static partial void LogFailedExit(ILogger logger, string role, string taskId, int attempt, int exitCode, FailureKind kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Role {Role} task {TaskId}: the command wrote {Bytes} bytes to stdout; kept the first {MaxBytes}")]
    private static partial void LogOutputTruncated(ILogger logger, string role, string taskId, long bytes, int maxBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Role {Role}: skipped the artifact file '{Name}': {Reason}")]
    private static partial void LogArtifactSkipped(ILogger logger, string role, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the artifacts directory {Directory}: {Reason}")]
    private static partial void LogCleanupFailed(ILogger logger, string directory, string reason);
}
