using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Logging;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using Microsoft.Extensions.Logging;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// The <c>command</c> runner: runs the role's program with the prompt as <c>{input}</c> and on stdin.
/// Exit 0 means the result is on stdout; files the program writes to <c>$AGENTQ_ARTIFACTS_DIR</c> become
/// artifacts. A non-zero exit is transient unless the role lists the code as permanent.
/// </summary>
public sealed class CommandRunner : IAgentRunner
{
    public const string TaskIdVariable = AttemptEnvironment.TaskIdVariable;
    public const string RoleVariable = AttemptEnvironment.RoleVariable;
    public const string AttemptVariable = AttemptEnvironment.AttemptVariable;
    public const string ArtifactsDirectoryVariable = AttemptEnvironment.ArtifactsDirectoryVariable;

    /// <summary>How much of stderr a failure message carries.</summary>
    public const int MaxErrorTailChars = ProgramOutput.MaxErrorTailChars;

    private readonly RoleDefinition _role;
    private readonly AgentProcess _process;
    private readonly ILogger<CommandRunner> _logger;
    private readonly long _maxArtifactBytes;
    private readonly RunnerScratch? _scratch;

    /// <param name="limits">The host's limits: files over <see cref="TaskLimits.MaxArtifactBytes"/> are not taken as artifacts.</param>
    /// <param name="scratch">Where attempts' artifact folders go; null for the system's temp folder.</param>
    public CommandRunner(RoleDefinition role, AgentProcess process, TaskLimits limits, ILogger<CommandRunner> logger, RunnerScratch? scratch = null)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(logger);
        _role = role;
        _process = process;
        _maxArtifactBytes = limits.MaxArtifactBytes;
        _logger = logger;
        _scratch = scratch;
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
        var artifactsDirectory = _scratch?.CreateFolder() ?? Directory.CreateTempSubdirectory(RunnerScratch.FolderPrefix);
        try
        {
            var run = await _process.RunAsync(
                new ProcessRunRequest
                {
                    Command = _role.Command,
                    Input = attempt.Prompt,
                    WorkingDirectory = _role.WorkingDirectory,
                    Environment = AttemptEnvironment.Create(attempt.TaskId, attempt.Role, attempt.Attempt, artifactsDirectory.FullName, attempt.TraceParent, attempt.TraceState, HostSecretVariables.In()),
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
                _logger.CommandTimedOut(_role.Name, attempt.TaskId, attempt.Attempt, _role.Timeout.TotalSeconds);
                return AgentResult.Failed(ProgramOutput.DescribeTimeout(program, _role.Timeout, run), permanent: false);
            }

            if (run.ExitCode != 0)
            {
                var kind = FailureClassifier.FromExitCode(run.ExitCode, _role.PermanentExitCodes);
                _logger.CommandFailedExit(_role.Name, attempt.TaskId, attempt.Attempt, run.ExitCode, kind);
                return AgentResult.Failed(ProgramOutput.DescribeExit(program, run), permanent: kind == FailureKind.Permanent);
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
        var answer = ProgramOutput.Interpret(run, artifactsDirectory, _role.MaxOutputBytes, "the command runner", _maxArtifactBytes);
        if (answer.OutputTruncated)
        {
            _logger.CommandOutputTruncated(_role.Name, attempt.TaskId, run.StandardOutputBytes, _role.MaxOutputBytes);
        }

        foreach (var skipped in answer.SkippedArtifacts)
        {
            _logger.CommandArtifactSkipped(_role.Name, skipped.Name, skipped.Reason);
        }

        return answer.Result;
    }

    private void DeleteQuietly(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A leftover temp directory is untidy, not a reason to fail an attempt that already ended.
            _logger.CommandCleanupFailed(directory.FullName, exception.Message);
        }
    }
}
