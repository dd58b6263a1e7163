using System.Diagnostics;
using System.Text;
using AgentQ.Cli;

namespace AgentQ.Tests.Infrastructure;

/// <summary>The real agentq executable (the built agentq.dll run by dotnet), for what only a separate process shows.</summary>
internal sealed class ToolProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdoutSoFar = new();
    private readonly StringBuilder _stderrSoFar = new();
    private readonly Task _stdout;
    private readonly Task _stderr;
    private int _disposed;

    private ToolProcess(Process process)
    {
        _process = process;
        _stdout = PumpAsync(process.StandardOutput, _stdoutSoFar);
        _stderr = PumpAsync(process.StandardError, _stderrSoFar);
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the tool wrote to stderr until now (a worker logs one line per attempt there).</summary>
    public string Stderr => Read(_stderrSoFar);

    public string Stdout => Read(_stdoutSoFar);

    public static ToolProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        StartCommand(["dotnet", ToolPath(), .. args], environment);

    /// <summary>Any command line (e.g. the one a service unit starts agentq with), in <paramref name="workingDirectory"/> if given.</summary>
    public static ToolProcess StartCommand(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "AGENTQ_URL", "AGENTQ_KEY", "AGENTQ_PROFILE" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return new ToolProcess(process);
    }

    /// <summary>
    /// agentq.dll in the tool's own build output (src/AgentQ/bin/&lt;configuration&gt;/&lt;tfm&gt;): the copy beside the tests
    /// lacks the tool's package assemblies, which the test host takes from the ASP.NET Core shared framework instead.
    /// </summary>
    public static string ToolPath()
    {
        var testOutput = new DirectoryInfo(Path.GetDirectoryName(typeof(CliApp).Assembly.Location)!);
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var dll = Path.Combine(Repository.Root(), "src", "AgentQ", "bin", configuration, framework, "agentq.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build src/AgentQ first", dll);
    }

    /// <summary>Sends a POSIX signal (SIGTERM, SIGINT) the way a service manager or Ctrl+C would.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + name, Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
    }

    /// <summary>Waits until stderr contains <paramref name="text"/>; fails the test with what it has so far otherwise.</summary>
    public async Task WaitForStderrAsync(string text, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && !HasExited, $"agentq did not write '{text}' to stderr in time (exited: {HasExited}); stderr so far:\n{Stderr}");
            await Task.Delay(25);
        }
    }

    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"agentq did not exit within {timeout.TotalSeconds} s; stderr so far:\n{Stderr}");
        }

        await Task.WhenAll(_stdout, _stderr);
        return new CliResult(_process.ExitCode, Stdout, Stderr);
    }

    public void Dispose()
    {
        // A scene disposes every process it started, some of which a test already disposed itself.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }

    /// <summary>Copies a stream as it arrives, so a test can watch a long-running tool (a worker) while it runs.</summary>
    private static async Task PumpAsync(StreamReader reader, StringBuilder buffer)
    {
        var chunk = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(chunk)) > 0)
        {
            lock (buffer)
            {
                buffer.Append(chunk, 0, read);
            }
        }
    }
}
