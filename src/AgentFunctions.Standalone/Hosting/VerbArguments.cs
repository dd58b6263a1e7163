using AgentFunctions.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Standalone.Hosting;

/// <summary>
/// The arguments of a verb (<c>check</c>, <c>backup</c>): up to <c>positional</c> plain values, then <c>--Key value</c>
/// settings read as the server reads them (appsettings.json beside the binary, environment, command line), so
/// <c>--Standalone:DataDirectory</c> means the same folder to every verb.
/// </summary>
public sealed record VerbArguments(IReadOnlyList<string> Values, StandaloneOptions Options)
{
    /// <summary>Reads the arguments, or throws <see cref="FormatException"/> (a usage error) or <see cref="InvalidConfigurationException"/>.</summary>
    public static VerbArguments Parse(string verb, IReadOnlyList<string> args, int maxValues)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = args.TakeWhile(a => !a.StartsWith('-')).ToList();
        var settings = args.Skip(values.Count).ToArray();
        if (values.Count > maxValues)
        {
            throw new FormatException($"{verb}: unexpected argument '{values[maxValues]}'");
        }

        if (settings.Length % 2 != 0 || settings.Where((_, i) => i % 2 == 0).Any(key => !key.StartsWith("--", StringComparison.Ordinal)))
        {
            throw new FormatException($"{verb}: settings are given as --Key value pairs");
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(settings)
            .Build();
        return new VerbArguments(values, StandaloneOptions.Load(configuration));
    }
}
