using System.Globalization;

namespace AgentFunctions.Bench;

internal sealed record BenchOptions(int Tasks, int Concurrency, int Rate, int Seconds, int Warmup, string ServerDll, int DurableTasks, bool DurableOnly, bool Otlp, int LargeCompletes)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
        }

        int Number(string name, int fallback) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

        // The project reference builds the server in the same configuration; find its output from the repository root.
        var server = Value("--server") ?? DefaultServer();
        static string DefaultServer()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AgentFunctions.sln")))
            {
                directory = directory.Parent;
            }

            var configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
            return Path.Combine(directory?.FullName ?? ".", "src", "AgentFunctions.Standalone", "bin", configuration, "net10.0", "AgentFunctions.Standalone.dll");
        }

        return new BenchOptions(Number("--n", 5000), Number("--concurrency", 128), Number("--rate", 200), Number("--seconds", 20), Number("--warmup", 1000), Path.GetFullPath(server), Number("--durable-n", 500), args.Contains("--durable-only"), args.Contains("--otlp"), Number("--large-n", 20));
    }
}
