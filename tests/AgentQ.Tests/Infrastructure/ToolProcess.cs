using System.Diagnostics;
using AgentQ.Cli;

namespace AgentQ.Tests.Infrastructure;

/// <summary>The real agentq executable (the built agentq.dll run by dotnet), for what only a separate process shows.</summary>
internal sealed class ToolProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private ToolProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ToolProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dll = ToolPath();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
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
        for (var directory = testOutput; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AgentFunctions.sln")))
            {
                var dll = Path.Combine(directory.FullName, "src", "AgentQ", "bin", configuration, framework, "agentq.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException("build src/AgentQ first", dll);
            }
        }

        throw new DirectoryNotFoundException("AgentFunctions.sln not found above " + testOutput.FullName);
    }

    /// <summary>Sends a POSIX signal (SIGTERM, SIGINT) the way a service manager or Ctrl+C would.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + name, Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
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
            throw new TimeoutException($"agentq did not exit within {timeout.TotalSeconds} s");
        }

        return new CliResult(_process.ExitCode, await _stdout, await _stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
