using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentQ.Cli;

namespace AgentQ.Submit;

/// <summary>
/// Turns <c>submit</c> flags into a <see cref="TaskSpec"/>. Mistakes a client can see (no roles, a bad role
/// name, JSON that does not parse, a missing file) are usage errors here, before anything is sent; the
/// server still validates everything (sizes, ttl range, configured roles).
/// </summary>
public static class SpecBuilder
{
    public const string StdinMarker = "-";

    /// <param name="readStdin">Reads all of standard input (for "-" as CONTENT or --file).</param>
    public static TaskSpec Build(SubmitArguments arguments, Func<string> readStdin)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(readStdin);
        if (arguments.Content == StdinMarker && arguments.File == StdinMarker)
        {
            throw CliException.Usage("CONTENT and --file cannot both read stdin ('-')");
        }

        var (to, stages) = Roles(arguments);
        var payload = Payload(arguments, readStdin);
        var context = arguments.File is { } file ? ReadContext(file, readStdin) : null;
        if (payload is null && string.IsNullOrWhiteSpace(arguments.Instructions) && string.IsNullOrWhiteSpace(context))
        {
            throw CliException.Usage("nothing to work on: give CONTENT, --instructions or --file");
        }

        if (arguments.Id is { } id && !Identifiers.IsValidTaskId(id))
        {
            throw CliException.Usage($"--id '{id}' is not a valid task id ({Identifiers.TaskIdPattern})");
        }

        if (arguments.Type is { } type && !Identifiers.IsValidTaskType(type))
        {
            throw CliException.Usage($"--type '{type}' is not a valid task type ({Identifiers.TaskTypePattern})");
        }

        if (arguments.TtlSeconds is <= 0)
        {
            throw CliException.Usage("--ttl must be a positive number of seconds");
        }

        var requires = SplitRoles(arguments.Requires).Distinct(StringComparer.Ordinal).ToList();
        if (requires.FirstOrDefault(r => !Identifiers.IsValidCapability(r)) is { } badCapability)
        {
            throw CliException.Usage($"--require '{badCapability}' is not a capability name ({Identifiers.CapabilityPattern})");
        }

        return new TaskSpec
        {
            Id = arguments.Id,
            From = arguments.From,
            To = to,
            Stages = stages,
            Type = arguments.Type,
            Instructions = arguments.Instructions,
            Payload = payload,
            Context = context,
            Priority = Priority(arguments.Priority),
            TtlSeconds = arguments.TtlSeconds,
            ReplyTo = arguments.ReplyTo,
            RequiresApproval = arguments.RequiresApproval,
            Requires = requires.Count > 0 ? requires : null,
        };
    }

    /// <summary>"a,b" and repeated flags alike; blanks dropped.</summary>
    public static IReadOnlyList<string> SplitRoles(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    private static (IReadOnlyList<string>? To, IReadOnlyList<IReadOnlyList<string>>? Stages) Roles(SubmitArguments arguments)
    {
        var hasTo = arguments.To.Count > 0;
        var hasStages = arguments.Stages.Count > 0;
        if (hasTo && hasStages)
        {
            throw CliException.Usage("give either --to (roles in parallel) or --stage (stages in order), not both");
        }

        if (!hasTo && !hasStages)
        {
            throw CliException.Usage("no roles: give --to ROLE... or one --stage ROLE... per stage");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (hasTo)
        {
            var roles = SplitRoles(arguments.To);
            if (roles.Count == 0)
            {
                throw CliException.Usage("--to names no role");
            }

            Check(roles, "--to", seen);
            return (roles, null);
        }

        var stages = new List<IReadOnlyList<string>>();
        foreach (var stage in arguments.Stages)
        {
            var roles = SplitRoles(stage);
            if (roles.Count == 0)
            {
                throw CliException.Usage($"--stage '{string.Join(' ', stage)}' names no role");
            }

            Check(roles, "--stage", seen);
            stages.Add(roles);
        }

        return (null, stages);
    }

    private static void Check(IReadOnlyList<string> roles, string flag, HashSet<string> seen)
    {
        foreach (var role in roles)
        {
            if (!Identifiers.IsValidRole(role))
            {
                var hint = role.Contains(' ', StringComparison.Ordinal) ? "; put CONTENT before the options, or after '--'" : string.Empty;
                throw CliException.Usage($"{flag}: '{role}' is not a valid role name ({Identifiers.RolePattern}){hint}");
            }

            if (!seen.Add(role))
            {
                throw CliException.Usage($"{flag}: role '{role}' is named more than once");
            }
        }
    }

    private static TaskPayload? Payload(SubmitArguments arguments, Func<string> readStdin)
    {
        var format = arguments.PayloadFormat;
        if (arguments.Content is null)
        {
            return format is null ? null : throw CliException.Usage("--payload-fmt needs CONTENT");
        }

        var content = arguments.Content == StdinMarker ? readStdin() : arguments.Content;
        if (format is null || string.Equals(format, "text", StringComparison.OrdinalIgnoreCase))
        {
            return TaskPayload.FromText(content);
        }

        if (!string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            throw CliException.Usage($"--payload-fmt must be text or json, not '{format}'");
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            return new TaskPayload { Fmt = PayloadFormat.Json, Content = document.RootElement.Clone() };
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"CONTENT is not valid JSON (--payload-fmt json): {ex.Message}");
        }
    }

    private static string ReadContext(string path, Func<string> readStdin)
    {
        if (path == StdinMarker)
        {
            return readStdin();
        }

        if (Directory.Exists(path))
        {
            throw CliException.Usage($"cannot read --file '{path}': it is a directory (give a file, or - for stdin)");
        }

        try
        {
            return File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message.TrimEnd('.');
            throw CliException.Usage($"cannot read --file '{path}': {reason}");
        }
    }

    private static TaskPriority Priority(string? priority)
    {
        if (priority is null)
        {
            return TaskPriority.Normal;
        }

        return Names.TryParse<TaskPriority>(priority, out var value)
            ? value
            : throw CliException.Usage($"--priority must be low, normal, high or critical, not '{priority}'");
    }
}
