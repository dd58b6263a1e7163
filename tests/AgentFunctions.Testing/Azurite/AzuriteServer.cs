using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AgentFunctions.Testing.Azurite;

/// <summary>
/// A real Azurite (blob, queue and table, as DurableTask.AzureStorage needs all three) as a child process: installed
/// from npm into the cache folder if missing, started in a temporary folder on ports the OS picks on 127.0.0.1, and
/// stopped by its PID on dispose (or when the test process exits, if dispose never ran).
/// </summary>
public sealed partial class AzuriteServer : IAsyncDisposable
{
    /// <summary>The emulator's single account; its key is public and documented, not a secret.</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly string[] Services = ["Blob", "Queue", "Table"];

    private readonly Process _process;
    private readonly string _workspace;
    private readonly OutputTail _errors;
    private readonly EventHandler _stopOnExit;
    private int _disposed;

    private AzuriteServer(Process process, string workspace, OutputTail errors, IReadOnlyDictionary<string, Uri> endpoints)
    {
        _process = process;
        _workspace = workspace;
        _errors = errors;
        ProcessId = process.Id;
        BlobEndpoint = endpoints["Blob"];
        QueueEndpoint = endpoints["Queue"];
        TableEndpoint = endpoints["Table"];
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};";
        _stopOnExit = (_, _) => Stop();
        AppDomain.CurrentDomain.ProcessExit += _stopOnExit;
    }

    public int ProcessId { get; }

    /// <summary>The account's blob service, e.g. http://127.0.0.1:40123/devstoreaccount1.</summary>
    public Uri BlobEndpoint { get; }

    public Uri QueueEndpoint { get; }

    public Uri TableEndpoint { get; }

    /// <summary>The well-known development account key with the three explicit endpoints.</summary>
    public string ConnectionString { get; }

    /// <summary>What Azurite last wrote to stderr, for a test's failure message.</summary>
    public string ErrorOutput => _errors.ToString();

    /// <summary>Installs (if needed) and starts Azurite, and returns once all three services answer HTTP.</summary>
    /// <exception cref="AzuriteUnavailableException">It could not be installed or started; the message says why.</exception>
    public static async Task<AzuriteServer> StartAsync(AzuriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AzuriteOptions();
        var script = await AzuriteInstaller.EnsureInstalledAsync(options, cancellationToken);
        var workspace = Directory.CreateTempSubdirectory("agentfunctions-azurite-").FullName;

        var start = new ProcessStartInfo(options.NodeCommand)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workspace,
        };
        foreach (var argument in Arguments(script, workspace))
        {
            start.ArgumentList.Add(argument);
        }

        var listening = Services.ToDictionary(service => service, _ => new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously));
        var output = new OutputTail(20);
        var errors = new OutputTail(40);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            output.Add(e.Data);
            var match = e.Data is null ? null : ListeningLine().Match(e.Data);
            if (match is { Success: true })
            {
                listening[match.Groups["service"].Value].TrySetResult(new Uri(match.Groups["url"].Value.TrimEnd('/') + "/" + AccountName));
            }
        };
        process.ErrorDataReceived += (_, e) => errors.Add(e.Data);

        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            process.Dispose();
            DeleteWorkspace(workspace);
            throw new AzuriteUnavailableException(
                $"Azurite could not start: '{options.NodeCommand}' was not found or could not run ({exception.Message}). " +
                "Install Node.js 20 or later.",
                exception);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var endpoints = await WaitUntilListeningAsync(process, listening, options.StartTimeout, cancellationToken);
            await WaitUntilAnsweringAsync(endpoints.Values, options.StartTimeout, cancellationToken);
            return new AzuriteServer(process, workspace, errors, endpoints);
        }
        catch (Exception exception)
        {
            Kill(process);
            process.Dispose();
            DeleteWorkspace(workspace);
            if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new AzuriteUnavailableException(
                $"Azurite {options.Version} (PID {SafeId(process)}) did not start: {exception.Message}{Environment.NewLine}" +
                $"Its stdout ended with:{Environment.NewLine}{output}{Environment.NewLine}" +
                $"Its stderr ended with:{Environment.NewLine}{errors}",
                exception);
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private void Stop()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= _stopOnExit;
        Kill(_process);
        _process.Dispose();
        DeleteWorkspace(_workspace);
    }

    private static IEnumerable<string> Arguments(string script, string workspace)
    {
        yield return script;
        yield return "--location";
        yield return workspace;
        foreach (var service in Services)
        {
            var name = service.ToLowerInvariant();
            yield return $"--{name}Host";
            yield return "127.0.0.1";
            yield return $"--{name}Port";
            yield return "0"; // the OS picks a free port; Azurite prints which one, so no two runs can collide
        }

        // The Azure SDK's newest service versions are ahead of what an emulator release knows.
        yield return "--skipApiVersionCheck";
        yield return "--disableProductStyleUrl";
        // Azurite would otherwise send usage telemetry to an outside endpoint.
        yield return "--disableTelemetry";
        // Access logs would flood the output this class reads for the listening lines.
        yield return "--silent";
    }

    private static async Task<Dictionary<string, Uri>> WaitUntilListeningAsync(
        Process process,
        Dictionary<string, TaskCompletionSource<Uri>> listening,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var all = Task.WhenAll(listening.Values.Select(source => source.Task));
        var exited = process.WaitForExitAsync(cancellationToken);
        var finished = await Task.WhenAny(all, exited, Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        if (finished == exited)
        {
            throw new InvalidOperationException($"the process exited with code {process.ExitCode} before it listened.");
        }

        if (finished != all)
        {
            var missing = listening.Where(pair => !pair.Value.Task.IsCompleted).Select(pair => pair.Key);
            throw new TimeoutException(
                $"after {timeout.TotalSeconds:0} s these services had not reported a listening port: {string.Join(", ", missing)}.");
        }

        return listening.ToDictionary(pair => pair.Key, pair => pair.Value.Task.Result);
    }

    /// <summary>Any HTTP answer will do (an unsigned request gets 400 or 403): it proves the port serves requests.</summary>
    private static async Task WaitUntilAnsweringAsync(IEnumerable<Uri> endpoints, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        foreach (var endpoint in endpoints)
        {
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync(endpoint, cancellationToken);
                    break;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                }
                catch (HttpRequestException exception)
                {
                    throw new TimeoutException($"{endpoint} never answered HTTP within {timeout.TotalSeconds:0} s ({exception.Message}).", exception);
                }
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // It never started or is already gone.
        }
    }

    private static string SafeId(Process process)
    {
        try
        {
            return process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private static void DeleteWorkspace(string workspace)
    {
        try
        {
            Directory.Delete(workspace, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp folder is cleaned by the OS later.
        }
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at (?<url>\S+)")]
    private static partial Regex ListeningLine();
}
