using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentFunctions.Core.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// Runs a local program for an agent attempt: argv without a shell, the prompt as <c>{input}</c> and on
/// stdin, capped output read concurrently, and a timeout or cancellation that kills the whole process
/// tree. Shared by the <c>command</c> runner and the CLI worker. With <see cref="ProcessIsolation.Isolated"/> the
/// program runs in a process group of its own and dies with the host (see <see cref="ProcessGroups"/>); whatever is
/// left of the group when the program ends, times out or is cancelled is killed, so nothing of an attempt outlives it.
/// </summary>
public sealed class AgentProcess
{
    /// <summary>Linux's MAX_ARG_STRLEN: 32 pages of 4 KiB per argument, its terminating NUL included.</summary>
    private const int MaxArgumentBytes = 32 * 4096;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>How long a killed process tree may take to be reaped before we stop waiting for it.</summary>
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AgentProcess> _logger;
    private readonly ProcessIsolation _isolation;

    public AgentProcess(TimeProvider timeProvider, ILogger<AgentProcess> logger, ProcessIsolation? isolation = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _timeProvider = timeProvider;
        _logger = logger;
        _isolation = isolation ?? ProcessIsolation.None;
    }

    /// <summary>An executor on the system clock that logs nothing, for tools and tests.</summary>
    public AgentProcess()
        : this(TimeProvider.System, NullLogger<AgentProcess>.Instance)
    {
    }

    /// <summary>argv with every <c>{input}</c> in the arguments (not the program) replaced by <paramref name="input"/>.</summary>
    public static IReadOnlyList<string> ExpandArguments(IReadOnlyList<string> command, string? input)
    {
        ArgumentNullException.ThrowIfNull(command);
        var expanded = new string[command.Count];
        for (var i = 0; i < command.Count; i++)
        {
            // The program itself is never taken from the prompt.
            expanded[i] = i == 0 ? command[i] : command[i].Replace(ProcessRunRequest.InputPlaceholder, input ?? string.Empty, StringComparison.Ordinal);
        }

        return expanded;
    }

    /// <summary>
    /// Linux refuses to start a program with any one argument longer than 128 KiB (MAX_ARG_STRLEN, the terminating
    /// NUL included), and says only "Argument list too long": a prompt put in <c>{input}</c> can pass it long before
    /// the context limit. Say so in the contract's words instead.
    /// </summary>
    private static string? TooLongArgument(IReadOnlyList<string> argv)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        for (var i = 1; i < argv.Count; i++)
        {
            var bytes = Utf8NoBom.GetByteCount(argv[i]);
            if (bytes >= MaxArgumentBytes)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"argument {i} is {bytes} bytes once {ProcessRunRequest.InputPlaceholder} holds the prompt, and Linux takes at most {MaxArgumentBytes - 1} in one argument; the prompt is on stdin too, so drop {ProcessRunRequest.InputPlaceholder} from the command for prompts this long");
            }
        }

        return null;
    }

    /// <summary>
    /// Runs the program to its end, its timeout or cancellation. Never throws for the program's sake:
    /// a program that cannot start is reported in <see cref="ProcessRunResult.StartError"/>, and
    /// cancellation in <see cref="ProcessRunResult.Canceled"/>.
    /// </summary>
    public async Task<ProcessRunResult> RunAsync(ProcessRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.MaxOutputBytes);
        if (request.Command.Count == 0 || string.IsNullOrWhiteSpace(request.Command[0]))
        {
            return new ProcessRunResult { StartError = "no program to run: the command is empty" };
        }

        var program = request.Command[0];
        if (request.WorkingDirectory is { } directory && !Directory.Exists(directory))
        {
            return new ProcessRunResult { StartError = $"cannot start '{program}': the working directory '{directory}' does not exist" };
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return new ProcessRunResult { Canceled = true };
        }

        var ownGroup = _isolation.OwnProcessGroup && ProcessGroups.Supported;
        var argv = ExpandArguments(request.Command, request.Input);
        if (TooLongArgument(argv) is { } tooLong)
        {
            _logger.ProcessStartFailed(program, tooLong);
            return new ProcessRunResult { StartError = $"cannot start '{program}': {tooLong}" };
        }
        if (ownGroup)
        {
            var (path, error) = ProcessGroups.ResolveProgram(program);
            if (path is null)
            {
                _logger.ProcessStartFailed(program, error!);
                return new ProcessRunResult { StartError = $"cannot start '{program}': {error}" };
            }

            argv = ProcessGroups.WrapForOwnGroup([path, .. argv.Skip(1)]);
        }

        var startedAt = _timeProvider.GetTimestamp();
        using var process = new Process { StartInfo = CreateStartInfo(argv, request) };
        try
        {
            if (ownGroup)
            {
                await SpawnThread.StartAsync(process);
            }
            else
            {
                process.Start();
            }
        }
        catch (Exception exception) when (exception is Win32Exception or IOException or UnauthorizedAccessException or InvalidOperationException or PlatformNotSupportedException)
        {
            _logger.ProcessStartFailed(program, exception.Message);
            return new ProcessRunResult { StartError = $"cannot start '{program}': {exception.Message}", Duration = _timeProvider.GetElapsedTime(startedAt) };
        }

        _logger.ProcessStarted(program, process.Id);
        int? group = ownGroup ? process.Id : null;

        // A program that ended before its start time could be read left nothing to record (the pid is already gone).
        var record = ownGroup ? ProcessGroups.RecordOf(process.Id) : null;
        try
        {
            if (record is not null)
            {
                // Inside the try: a program whose group cannot be recorded does not run on unrecorded.
                _isolation.Ledger?.Opened(record);
            }

            return await WaitAsync(process, program, group, request, startedAt, cancellationToken);
        }
        finally
        {
            if (group is { } id)
            {
                // Whatever the program left in its group (a daemon, a stuck grandchild) ends with the attempt.
                ProcessGroups.KillGroup(id);
            }

            if (record is not null)
            {
                _isolation.Ledger?.Closed(record);
            }
        }
    }

    private async Task<ProcessRunResult> WaitAsync(Process process, string program, int? group, ProcessRunRequest request, long startedAt, CancellationToken cancellationToken)
    {
        using var timeout = request.Timeout is { } limit && limit != System.Threading.Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource(limit, _timeProvider)
            : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var abandonOutput = new CancellationTokenSource();

        var stdout = CapturedOutput.ReadAsync(process.StandardOutput.BaseStream, request.MaxOutputBytes, abandonOutput.Token);
        var stderr = CapturedOutput.ReadAsync(process.StandardError.BaseStream, request.MaxOutputBytes, abandonOutput.Token);
        var stdin = WriteInputAsync(process, request.Input, stop.Token);

        var timedOut = false;
        var canceled = false;
        try
        {
            await process.WaitForExitAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            canceled = cancellationToken.IsCancellationRequested;
            timedOut = !canceled;
            if (group is { } id && ProcessGroups.KillGroup(id))
            {
                _logger.ProcessGroupKilled(program, id);
            }

            KillTree(process, program);
            await WaitForExitAfterKillAsync(process);
        }

        var duration = _timeProvider.GetElapsedTime(startedAt);
        if (group is { } ended)
        {
            // The program ended: what it left running in its group would only hold the pipes open.
            ProcessGroups.KillGroup(ended);
        }

        var streams = Task.WhenAll(stdout, stderr, stdin);
        try
        {
            await streams.WaitAsync(request.OutputDrainGrace, _timeProvider, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // Something outside the tree we could kill (a daemon it left behind) holds the pipes.
            _logger.ProcessOutputAbandoned(program, request.OutputDrainGrace.TotalSeconds);
            await abandonOutput.CancelAsync();
            try
            {
                await streams.WaitAsync(KillWait, _timeProvider, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                // The readers did not notice the cancellation; what they kept is still reported below.
            }
        }

        var output = stdout.IsCompletedSuccessfully ? stdout.Result : CapturedOutput.Empty;
        var error = stderr.IsCompletedSuccessfully ? stderr.Result : CapturedOutput.Empty;
        var exitCode = process.HasExited ? process.ExitCode : -1;
        _logger.ProcessEnded(program, exitCode, duration.TotalMilliseconds, timedOut, canceled);
        return new ProcessRunResult
        {
            ExitCode = exitCode,
            StandardOutput = output.Text,
            StandardError = error.Text,
            StandardOutputBytes = output.TotalBytes,
            StandardErrorBytes = error.TotalBytes,
            StandardOutputTruncated = output.Truncated,
            StandardErrorTruncated = error.Truncated,
            TimedOut = timedOut,
            Canceled = canceled,
            Duration = duration,
        };
    }

    private static ProcessStartInfo CreateStartInfo(IReadOnlyList<string> argv, ProcessRunRequest request)
    {
        var startInfo = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = Utf8NoBom,
        };

        // ArgumentList passes each argument as-is: quotes, newlines and unicode arrive intact, nothing is re-parsed.
        for (var i = 1; i < argv.Count; i++)
        {
            startInfo.ArgumentList.Add(argv[i]);
        }

        if (request.WorkingDirectory is not null)
        {
            startInfo.WorkingDirectory = request.WorkingDirectory;
        }

        foreach (var (name, value) in request.Environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        return startInfo;
    }

    private static async Task WriteInputAsync(Process process, string? input, CancellationToken cancellationToken)
    {
        var stdin = process.StandardInput;
        try
        {
            if (!string.IsNullOrEmpty(input))
            {
                await stdin.BaseStream.WriteAsync(Utf8NoBom.GetBytes(input), cancellationToken);
                await stdin.BaseStream.FlushAsync(cancellationToken);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The program ended or closed stdin without reading it all (broken pipe): its output decides.
        }
        finally
        {
            try
            {
                stdin.Close();
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException)
            {
                // Closing an already broken pipe.
            }
        }
    }

    private void KillTree(Process process, string program)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            _logger.ProcessTreeKilled(program, process.Id);
        }
        catch (Exception exception) when (exception is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // It ended by itself in the meantime.
        }
    }

    private async Task WaitForExitAfterKillAsync(Process process)
    {
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(KillWait, _timeProvider, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // SIGKILL cannot be refused; if the kernel is slow to reap, the caller still gets its answer.
        }
    }
}
