using System.ComponentModel;
using System.Diagnostics;

namespace AgentFunctions.Testing.Azurite;

/// <summary>
/// Installs the Azurite npm package into the cache folder once (npm install --prefix), so a fresh machine with only
/// Node.js and npm gets it by itself. Test projects run in parallel: an exclusive lock file lets one install while the
/// others wait, and the install lands under a temporary name that is renamed only when it is complete.
/// </summary>
internal static class AzuriteInstaller
{
    private static readonly string[] EntryPoint = ["node_modules", "azurite", "dist", "src", "azurite.js"];

    /// <summary>Returns the path of Azurite's entry script, installing the pinned version first if it is missing.</summary>
    public static async Task<string> EnsureInstalledAsync(AzuriteOptions options, CancellationToken cancellationToken)
    {
        var versionDirectory = Path.Combine(options.CacheDirectory, options.Version);
        var script = Path.Combine([versionDirectory, .. EntryPoint]);
        if (File.Exists(script))
        {
            return script;
        }

        try
        {
            Directory.CreateDirectory(options.CacheDirectory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new AzuriteUnavailableException(
                $"Azurite could not be installed: the cache folder {options.CacheDirectory} cannot be created ({exception.Message}).",
                exception);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.InstallTimeout);
        await using var installLock = await AcquireLockAsync(options, deadline.Token);
        if (File.Exists(script))
        {
            return script; // another test project installed it while this one waited
        }

        var staging = Path.Combine(options.CacheDirectory, $".install-{options.Version}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(staging);
            await RunNpmInstallAsync(options, staging, deadline.Token, cancellationToken);
            var stagedScript = Path.Combine([staging, .. EntryPoint]);
            if (!File.Exists(stagedScript))
            {
                throw new AzuriteUnavailableException(
                    $"Azurite could not be installed: npm finished but {stagedScript} does not exist.");
            }

            if (Directory.Exists(versionDirectory))
            {
                Directory.Delete(versionDirectory, recursive: true); // an earlier, incomplete copy
            }

            Directory.Move(staging, versionDirectory);
            return script;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static async Task<FileStream> AcquireLockAsync(AzuriteOptions options, CancellationToken cancellationToken)
    {
        var path = Path.Combine(options.CacheDirectory, ".install.lock");
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock that other processes see.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    throw new AzuriteUnavailableException(
                        $"Azurite could not be installed: another process held {path} for longer than {options.InstallTimeout}.");
                }
            }
        }
    }

    private static async Task RunNpmInstallAsync(
        AzuriteOptions options, string prefix, CancellationToken deadline, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(options.NpmCommand)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "install", "--prefix", prefix, $"azurite@{options.Version}",
                     "--no-save", "--no-audit", "--no-fund", "--loglevel=error",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new OutputTail(40);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new AzuriteUnavailableException(
                $"Azurite could not be installed: '{options.NpmCommand}' was not found or could not run ({exception.Message}). " +
                "The tests install Azurite from npm; install Node.js 20 or later with npm.",
                exception);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(deadline);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new AzuriteUnavailableException(
                $"Azurite could not be installed: 'npm install azurite@{options.Version}' did not finish within " +
                $"{options.InstallTimeout}. npm said:{Environment.NewLine}{output}");
        }

        process.WaitForExit(); // drains the redirected output
        if (process.ExitCode != 0)
        {
            throw new AzuriteUnavailableException(
                $"Azurite could not be installed: 'npm install azurite@{options.Version}' exited with {process.ExitCode}. " +
                $"npm said:{Environment.NewLine}{output}");
        }
    }
}
