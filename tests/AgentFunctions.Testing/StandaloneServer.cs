using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace AgentFunctions.Testing;

/// <summary>
/// The real Standalone server binary as a child process on 127.0.0.1 with its own data directory: what the
/// end-to-end tests and the benchmark run against. A test can kill it the way a crash would, or send SIGTERM the
/// way a service manager does; disposing kills it by PID (with the agents it started) and removes a data
/// directory it created.
/// </summary>
public sealed class StandaloneServer : IAsyncDisposable
{
    /// <summary>Quiet by default: a test reads the server's answers, not its information log. Settings override these.</summary>
    private static readonly KeyValuePair<string, string>[] DefaultSettings =
    [
        new("Logging:LogLevel:Default", "Warning"),
        new("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning"),
    ];

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Action<string>? _onOutputLine;
    private readonly bool _ownsDataDirectory;
    private int _disposed;

    private StandaloneServer(Process process, Uri baseAddress, string dataDirectory, bool ownsDataDirectory, Action<string>? onOutputLine)
    {
        _process = process;
        _ownsDataDirectory = ownsDataDirectory;
        _onOutputLine = onOutputLine;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>http://127.0.0.1:port/ (with the trailing slash, so relative paths such as <c>api/tasks</c> resolve under it).</summary>
    public Uri BaseAddress { get; }

    /// <summary>http://127.0.0.1:port (no trailing slash), as AGENTQ_URL takes it.</summary>
    public string Url => BaseAddress.GetLeftPart(UriPartial.Authority);

    public string DataDirectory { get; }

    /// <summary>A client on <see cref="BaseAddress"/>, disposed with the server.</summary>
    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="WaitForExitAsync"/> returned true.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the server wrote to stdout and stderr so far, line by line.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the server with <paramref name="settings"/> on a free port and a fresh data directory, and waits until it is healthy.</summary>
    public static Task<StandaloneServer> StartAsync(IReadOnlyDictionary<string, string> settings) =>
        StartAsync(new StandaloneServerOptions { Settings = settings });

    public static async Task<StandaloneServer> StartAsync(StandaloneServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var serverPath = options.ServerPath ?? Path.Combine(AppContext.BaseDirectory, "AgentFunctions.Standalone.dll");
        if (!File.Exists(serverPath))
        {
            throw new FileNotFoundException("The Standalone server is not built there: reference src/AgentFunctions.Standalone from the project, or pass its AgentFunctions.Standalone.dll as ServerPath.", serverPath);
        }

        var port = options.Port ?? LoopbackPorts.Free();
        var dataDirectory = options.DataDirectory ?? TempPaths.NewDirectory("server-data");
        var start = new ProcessStartInfo(options.Launcher.Count > 0 ? options.Launcher[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in options.Launcher.Skip(1).Concat(options.Launcher.Count > 0 ? ["dotnet"] : []))
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(serverPath);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        start.ArgumentList.Add("--Standalone:DataDirectory");
        start.ArgumentList.Add(dataDirectory);
        foreach (var (name, value) in options.Environment)
        {
            start.Environment[name] = value;
        }

        foreach (var (key, value) in DefaultSettings.Concat(options.Settings))
        {
            // Command-line configuration keeps the last value of a key, so the caller's settings win.
            start.ArgumentList.Add("--" + key);
            start.ArgumentList.Add(value);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start: " + serverPath);
        var server = new StandaloneServer(process, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/")), dataDirectory, options.DataDirectory is null, options.OnOutputLine);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (options.WaitUntilHealthy)
        {
            try
            {
                await server.WaitUntilHealthyAsync(options.HealthTimeout);
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }

        return server;
    }

    /// <summary>Polls GET /api/health until it answers 200; throws, with the server's output, if the server exits or the time runs out first.</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (!_process.HasExited && deadline.Elapsed < timeout)
        {
            try
            {
                using var response = await probe.GetAsync("api/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening, but too busy starting to answer within the probe's timeout.
            }

            await Task.Delay(50);
        }

        var why = _process.HasExited ? string.Create(CultureInfo.InvariantCulture, $"it exited with {_process.ExitCode}") : $"it was not healthy within {timeout.TotalSeconds:0} s";
        throw new InvalidOperationException($"The Standalone server on {Url} did not become healthy: {why}. Its output:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or a power cut of the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a service manager or <c>kill</c> sends it: the server shuts down gracefully. Returns at once; see <see cref="WaitForExitAsync"/>.</summary>
    public void RequestShutdown()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", ProcessId.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run kill");
        kill.WaitForExit();
    }

    /// <summary>True when the server exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Client.Dispose();
        if (!_process.HasExited)
        {
            // The whole tree: command runners the server started go with it.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_ownsDataDirectory)
        {
            TempPaths.TryDelete(DataDirectory);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        _onOutputLine?.Invoke(line);
    }
}
