using System.Globalization;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Tasks;
using AgentQ.Cli;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace AgentQ.Worker;

/// <summary>
/// Reads a worker config file (TOML). Only the keys of deploy/agentq.worker.example.toml are allowed: an unknown key,
/// a table that does not exist or a value of the wrong type stops the worker at start, naming the file, the line and
/// the key (exit 2). Read from the syntax tree, so every key keeps its line.
/// </summary>
public static class WorkerConfigReader
{
    private static readonly string[] WorkerKeys =
        ["role", "concurrency", "lease", "url", "profile", "wait", "timeout", "grace", "worker_id", "permanent_exit_codes", "capabilities", "command"];

    private static readonly string[] LogKeys = ["dir", "max_bytes", "backup_count"];

    /// <summary>Where a worker looks for its config without --config, first match wins.</summary>
    public static IReadOnlyList<string> DefaultLocations(ICliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return
        [
            System.IO.Path.Combine(environment.CurrentDirectory, "agentq.toml"),
            System.IO.Path.Combine(environment.HomeDirectory, ".agentq", "worker.toml"),
            System.IO.Path.Combine(environment.SystemConfigDirectory, "worker.toml"),
        ];
    }

    /// <summary>The file named by --config (which must exist), else the first default location that exists, else null.</summary>
    public static WorkerConfig? Find(string? path, ICliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (path is not null)
        {
            var full = System.IO.Path.GetFullPath(path, environment.CurrentDirectory);
            return File.Exists(full) ? Read(full) : throw CliException.Usage($"--config {path}: no such file");
        }

        return DefaultLocations(environment).FirstOrDefault(File.Exists) is { } found ? Read(found) : null;
    }

    public static WorkerConfig Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot read {path}: {ex.Message}");
        }

        var document = SyntaxParser.Parse(text, path);
        if (document.Diagnostics.FirstOrDefault(d => d.Kind == DiagnosticMessageKind.Error) is { } error)
        {
            throw CliException.Usage(string.Create(CultureInfo.InvariantCulture, $"{path}:{error.Span.Start.Line + 1}: not valid TOML: {error.Message}"));
        }

        var reader = new Reader(path);
        var config = new WorkerConfig { Path = path };
        foreach (var entry in document.KeyValues)
        {
            config = reader.Key(entry) == "command"
                ? config with { Command = reader.Command(entry, config.Command) }
                : throw reader.Fail(entry, $"unknown key '{reader.Key(entry)}' at the top level (it takes only command; the rest goes in [worker] or [log])");
        }

        var seenTables = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in document.Tables)
        {
            var name = reader.Name(table.Name);
            if (table is not TableSyntax || name is not ("worker" or "log"))
            {
                throw reader.Fail(table, $"unknown table [{name}] (a worker config has [worker] and [log])");
            }

            if (!seenTables.Add(name))
            {
                throw reader.Fail(table, $"[{name}] appears twice");
            }

            config = name == "worker" ? ReadWorker(reader, table, config) : ReadLog(reader, table, config);
        }

        return config;
    }

    private static WorkerConfig ReadWorker(Reader reader, TableSyntaxBase table, WorkerConfig config)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in table.Items)
        {
            var key = reader.Key(entry);
            if (!seen.Add(key))
            {
                throw reader.Fail(entry, $"[worker] {key} appears twice");
            }

            config = key switch
            {
                "role" => config with { Role = reader.Role(entry) },
                "concurrency" => config with { Concurrency = (int)reader.Integer(entry, 1, 256) },
                "lease" => config with { LeaseSeconds = (int)reader.Duration(entry, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(RoleDefinition.LeaseSecondsCap)).TotalSeconds },
                "url" => config with { Url = reader.String(entry) },
                "profile" => config with { Profile = reader.String(entry) },
                "wait" => config with { WaitSeconds = (int)reader.Integer(entry, 0, 60) },
                "timeout" => config with { Timeout = reader.Duration(entry, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)) },
                "grace" => config with { Grace = reader.Duration(entry, TimeSpan.Zero, TimeSpan.FromHours(1)) },
                "worker_id" => config with { WorkerId = reader.String(entry) },
                "permanent_exit_codes" => config with { PermanentExitCodes = reader.ExitCodes(entry) },
                "capabilities" => config with { Capabilities = reader.Capabilities(entry) },
                "command" => config with { Command = reader.Command(entry, config.Command) },
                _ => throw reader.Fail(entry, $"unknown key '{key}' in [worker] (known: {string.Join(", ", WorkerKeys)})"),
            };
        }

        return config;
    }

    private static WorkerConfig ReadLog(Reader reader, TableSyntaxBase table, WorkerConfig config)
    {
        string? directory = null;
        long maxBytes = WorkerLogSettings.DefaultMaxBytes;
        var backups = WorkerLogSettings.DefaultBackupCount;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in table.Items)
        {
            var key = reader.Key(entry);
            if (!seen.Add(key))
            {
                throw reader.Fail(entry, $"[log] {key} appears twice");
            }

            switch (key)
            {
                case "dir":
                    // Relative to the file, so a unit's config means the same from any working directory.
                    directory = System.IO.Path.GetFullPath(reader.String(entry), System.IO.Path.GetDirectoryName(reader.File)!);
                    break;
                case "max_bytes":
                    maxBytes = reader.Integer(entry, 0, long.MaxValue);
                    break;
                case "backup_count":
                    backups = (int)reader.Integer(entry, 0, 1000);
                    break;
                default:
                    throw reader.Fail(entry, $"unknown key '{key}' in [log] (known: {string.Join(", ", LogKeys)})");
            }
        }

        return directory is null
            ? throw reader.Fail(table, "[log] needs dir (the directory of the worker's log file)")
            : config with { Log = new WorkerLogSettings(directory, maxBytes, backups) };
    }

    /// <summary>Reads values off syntax nodes and words the errors as "FILE:LINE: key: problem".</summary>
    private sealed class Reader(string file)
    {
        public string File => file;

        public CliException Fail(SyntaxNode node, string problem) =>
            CliException.Usage(string.Create(CultureInfo.InvariantCulture, $"{file}:{node.Span.Start.Line + 1}: {problem}"));

        public string Key(KeyValueSyntax entry) => Name(entry.Key);

        public string Name(KeySyntax? key)
        {
            if (key is null)
            {
                return string.Empty;
            }

            var parts = new List<string> { Part(key.Key) };
            foreach (var dotted in key.DotKeys)
            {
                parts.Add(Part(dotted.Key));
            }

            return string.Join('.', parts);
        }

        public string String(KeyValueSyntax entry) =>
            entry.Value is StringValueSyntax { Value: { } text } && !string.IsNullOrWhiteSpace(text)
                ? text
                : throw Fail(entry, $"{Key(entry)} must be a non-empty string (got {Describe(entry.Value)})");

        public string Role(KeyValueSyntax entry)
        {
            var role = String(entry);
            return Identifiers.IsValidRole(role) ? role : throw Fail(entry, $"role '{role}' is not a valid role name ({Identifiers.RolePattern})");
        }

        public long Integer(KeyValueSyntax entry, long min, long max)
        {
            if (entry.Value is not IntegerValueSyntax number)
            {
                throw Fail(entry, $"{Key(entry)} must be a whole number (got {Describe(entry.Value)})");
            }

            return number.Value >= min && number.Value <= max
                ? number.Value
                : throw Fail(entry, string.Create(CultureInfo.InvariantCulture, $"{Key(entry)} must be between {min} and {max} (got {number.Value})"));
        }

        /// <summary>Whole seconds, or a string such as "90s", "30m", "4h", "1h30m".</summary>
        public TimeSpan Duration(KeyValueSyntax entry, TimeSpan min, TimeSpan max)
        {
            TimeSpan? value = entry.Value switch
            {
                IntegerValueSyntax number when number.Value is >= 0 and <= int.MaxValue => TimeSpan.FromSeconds(number.Value),
                StringValueSyntax { Value: { } text } => DurationText.Parse(text),
                _ => null,
            };
            if (value is not { } duration)
            {
                throw Fail(entry, $"{Key(entry)} must be seconds or a duration such as \"90s\", \"30m\", \"4h\" (got {Describe(entry.Value)})");
            }

            return duration >= min && duration <= max
                ? duration
                : throw Fail(entry, $"{Key(entry)} must be between {(int)min.TotalSeconds}s and {(int)max.TotalSeconds}s (got {(long)duration.TotalSeconds}s)");
        }

        public HashSet<int> ExitCodes(KeyValueSyntax entry)
        {
            var codes = new HashSet<int>();
            if (entry.Value is not ArraySyntax array)
            {
                throw Fail(entry, $"{Key(entry)} must be an array of exit codes such as [3, 4] (got {Describe(entry.Value)})");
            }

            foreach (var item in array.Items)
            {
                codes.Add(item.Value is IntegerValueSyntax { Value: >= 1 and <= 255 } code
                    ? (int)code.Value
                    : throw Fail(entry, $"{Key(entry)} must hold exit codes between 1 and 255 (got {Describe(item.Value)})"));
            }

            return codes;
        }

        /// <summary>An array of capability names (the role name rule), each once, at most <see cref="Identifiers.MaxCapabilities"/>.</summary>
        public IReadOnlyList<string> Capabilities(KeyValueSyntax entry)
        {
            if (entry.Value is not ArraySyntax array)
            {
                throw Fail(entry, $"{Key(entry)} must be an array of capability names such as [\"database\"] (got {Describe(entry.Value)})");
            }

            var items = array.Items.Select(item => item.Value).ToList();
            var (names, invalidAt) = Identifiers.DistinctCapabilities(items.Select(value => (value as StringValueSyntax)?.Value).ToList());
            if (invalidAt >= 0)
            {
                throw Fail(entry, $"{Key(entry)} must hold capability names ({Identifiers.CapabilityPattern}) (got {Describe(items[invalidAt])})");
            }

            return names.Count <= Identifiers.MaxCapabilities
                ? names
                : throw Fail(entry, string.Create(CultureInfo.InvariantCulture, $"{Key(entry)} may name at most {Identifiers.MaxCapabilities} capabilities (got {names.Count})"));
        }

        /// <summary>An array of strings, or one string split like a shell would (<see cref="CommandLineSplitter"/>).</summary>
        public IReadOnlyList<string> Command(KeyValueSyntax entry, IReadOnlyList<string>? already)
        {
            if (already is not null)
            {
                throw Fail(entry, "command is given twice (at the top level and in [worker]: keep one)");
            }

            IReadOnlyList<string> argv;
            switch (entry.Value)
            {
                case StringValueSyntax { Value: { } text }:
                    try
                    {
                        argv = CommandLineSplitter.Split(text);
                    }
                    catch (CliException ex)
                    {
                        throw Fail(entry, $"{Key(entry)}: {ex.Message}");
                    }

                    break;
                case ArraySyntax array:
                    var items = new List<string>();
                    foreach (var item in array.Items)
                    {
                        items.Add(item.Value is StringValueSyntax { Value: { } word }
                            ? word
                            : throw Fail(entry, $"{Key(entry)} must hold strings only (got {Describe(item.Value)})"));
                    }

                    argv = items;
                    break;
                default:
                    throw Fail(entry, $"{Key(entry)} must be an array of strings such as [\"agent-cli\", \"chat\", \"{{input}}\"] or one string (got {Describe(entry.Value)})");
            }

            return argv.Count > 0 && !string.IsNullOrWhiteSpace(argv[0])
                ? argv
                : throw Fail(entry, $"{Key(entry)} is empty: name the program to run, e.g. [\"agent-cli\", \"chat\", \"{{input}}\"]");
        }

        private static string Part(BareKeyOrStringValueSyntax? key) => key switch
        {
            BareKeySyntax bare => bare.Key?.Text ?? string.Empty,
            StringValueSyntax quoted => quoted.Value ?? string.Empty,
            _ => string.Empty,
        };

        private static string Describe(ValueSyntax? value) => value switch
        {
            StringValueSyntax { Value: { } text } => $"\"{Output.Fmt.Short(text, 60)}\"",
            StringValueSyntax => "a string",
            IntegerValueSyntax => "a whole number",
            FloatValueSyntax => "a decimal number",
            BooleanValueSyntax => "true/false",
            ArraySyntax => "an array",
            InlineTableSyntax => "a table",
            DateTimeValueSyntax => "a date",
            _ => "nothing",
        };
    }
}
