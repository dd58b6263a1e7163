using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Text;

namespace AgentFunctions.Core.Tasks;

/// <summary>
/// Checks a spec against the limits and the role catalog, reporting every problem at once, field by field: a
/// submitted one as JSON (read by <see cref="TaskSpecReader"/>, which ignores unknown fields so that coordinators
/// may carry their own metadata), or one built in code.
/// </summary>
public sealed class TaskSpecValidator(RoleCatalog roles, TaskLimits limits)
{
    public const int MaxFromLength = 200;
    public const int MaxReplyToLength = 2048;
    public const string DefaultType = "task";

    public TaskLimits Limits => limits;

    /// <summary>
    /// Validates a spec as JSON. <paramref name="bodyBytes"/> is the request size, when known; otherwise the
    /// size of <paramref name="json"/> itself is used for the "beyond its context" limit.
    /// </summary>
    public SpecValidationResult Validate(JsonElement json, long? bodyBytes = null)
    {
        var errors = new List<FieldError>();
        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("$", "the task spec must be a JSON object"));
            return SpecValidationResult.Invalid(errors);
        }

        var spec = TaskSpecReader.Read(json, errors);
        var total = bodyBytes ?? JsonMarshal.GetRawUtf8Value(json).Length;
        // The context is measured as it travels (escapes included), so that only the rest of the spec
        // counts here; its own limit applies to the decoded text.
        CheckSpecSize(total - ContextTokenBytes(json), errors);
        Check(spec, errors);
        return errors.Count == 0 ? SpecValidationResult.Valid(spec) : SpecValidationResult.Invalid(errors);
    }

    /// <summary>Validates a spec built in code (queue intake, replay) by the same rules as a submitted one.</summary>
    public SpecValidationResult Validate(TaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<FieldError>();
        var normalized = spec with { Type = spec.Type ?? DefaultType };
        if (CanBeWritten(normalized))
        {
            // Measured as the spec would be submitted: its JSON without the context.
            CheckSpecSize(JsonSerializer.SerializeToUtf8Bytes(normalized with { Context = null }, CoreJson.Options).LongLength, errors);
        }

        Check(normalized, errors);
        return errors.Count == 0 ? SpecValidationResult.Valid(normalized) : SpecValidationResult.Invalid(errors);
    }

    /// <summary>
    /// The encoded size of the <c>context</c> string as it appears in the JSON (quotes and escapes included);
    /// the last one counts when the property repeats, as in <see cref="TaskSpecReader.Read"/>.
    /// </summary>
    private static long ContextTokenBytes(JsonElement json)
    {
        long bytes = 0;
        foreach (var property in json.EnumerateObject())
        {
            if (property.NameEquals("context"))
            {
                bytes = property.Value.ValueKind == JsonValueKind.String ? JsonMarshal.GetRawUtf8Value(property.Value).Length : 0;
            }
        }

        return bytes;
    }

    /// <summary>Whether the spec can be written as JSON; the values that prevent it are refused by <see cref="Check"/> anyway.</summary>
    private static bool CanBeWritten(TaskSpec spec) =>
        Enum.IsDefined(spec.Priority)
        && (spec.Payload is null || (Enum.IsDefined(spec.Payload.Fmt) && spec.Payload.Content.ValueKind != JsonValueKind.Undefined))
        && (spec.Retry?.BackoffCoefficient is not { } coefficient || double.IsFinite(coefficient));

    private void CheckSpecSize(long beyondContext, List<FieldError> errors)
    {
        if (beyondContext > limits.MaxSpecBytes)
        {
            errors.Add(new FieldError("$", $"the spec takes {beyondContext} bytes beyond its context; the limit is {limits.MaxSpecBytes}", TooLarge: true));
        }
    }

    /// <summary>The rules every spec meets, however it arrived (JSON at the door, or typed from intake or replay).</summary>
    private void Check(TaskSpec spec, List<FieldError> errors)
    {
        if (spec.Id is not null && !Identifiers.IsValidTaskId(spec.Id))
        {
            errors.Add(new FieldError("id", $"must match {Identifiers.TaskIdPattern}"));
        }

        if (spec.From is not null && (spec.From.Length > MaxFromLength || spec.From.Any(char.IsControl)))
        {
            errors.Add(new FieldError("from", $"must be at most {MaxFromLength} characters without control characters"));
        }

        if (spec.Type is not null && !Identifiers.IsValidTaskType(spec.Type))
        {
            errors.Add(new FieldError("type", $"must match {Identifiers.TaskTypePattern}"));
        }

        if (spec.ReplyTo is not null && (spec.ReplyTo.Length > MaxReplyToLength || spec.ReplyTo.Any(char.IsControl)))
        {
            errors.Add(new FieldError("replyTo", $"must be at most {MaxReplyToLength} characters without control characters"));
        }

        if (!Enum.IsDefined(spec.Priority))
        {
            errors.Add(new FieldError("priority", $"must be one of {TaskSpecReader.PriorityNames}"));
        }

        CheckPayload(spec.Payload, errors);

        var contextBytes = spec.Context is null ? 0 : Encoding.UTF8.GetByteCount(spec.Context);
        if (contextBytes > limits.MaxContextBytes)
        {
            errors.Add(new FieldError("context", $"is {contextBytes} bytes; the limit is {limits.MaxContextBytes}", TooLarge: true));
        }

        // A field that could not be read already has its error; do not add consequences of it.
        bool Unread(params string[] fields) => errors.Any(e => fields.Any(f => e.Field == f || e.Field.StartsWith(f + ".", StringComparison.Ordinal)));

        if (!Unread("to", "stages"))
        {
            CheckRoles(spec, errors);
        }

        if (string.IsNullOrWhiteSpace(spec.Instructions) && spec.Payload is null && string.IsNullOrWhiteSpace(spec.Context)
            && !Unread("instructions", "payload", "context"))
        {
            errors.Add(new FieldError("instructions", "is required unless the task has a payload or context"));
        }

        TaskRequirementRules.Check(spec, errors);

        if (spec.TtlSeconds is { } ttl && (ttl < limits.MinTtlSeconds || ttl > limits.MaxTtlSeconds))
        {
            errors.Add(new FieldError("ttlSeconds", $"must be between {limits.MinTtlSeconds} and {limits.MaxTtlSeconds}"));
        }

        if (spec.ApprovalTimeoutSeconds is { } approvalTimeout && (approvalTimeout < 1 || approvalTimeout > limits.MaxTtlSeconds))
        {
            errors.Add(new FieldError("approvalTimeoutSeconds", $"must be between 1 and {limits.MaxTtlSeconds}"));
        }

        if (spec.Retry is { } retry)
        {
            var roleDefinitions = spec.AllRoles().Where(Identifiers.IsValidRole).Distinct(StringComparer.Ordinal)
                .Select(roles.Find).OfType<RoleDefinition>().ToList();
            TaskRetryOverrideRules.Check(retry, roleDefinitions, errors);
        }
    }

    /// <summary>A typed payload obeys what <see cref="TaskSpecReader"/> enforces on JSON.</summary>
    private static void CheckPayload(TaskPayload? payload, List<FieldError> errors)
    {
        if (payload is null)
        {
            return;
        }

        if (!Enum.IsDefined(payload.Fmt))
        {
            errors.Add(new FieldError("payload.fmt", "must be \"text\" or \"json\""));
        }
        else if (payload.Content.ValueKind == JsonValueKind.Undefined)
        {
            errors.Add(new FieldError("payload.content", "is required"));
        }
        else if (payload.Fmt == PayloadFormat.Text && payload.Content.ValueKind != JsonValueKind.String)
        {
            errors.Add(new FieldError("payload.content", "must be a string when fmt is \"text\""));
        }
    }

    private void CheckRoles(TaskSpec spec, List<FieldError> errors)
    {
        if (spec.To is not null && spec.Stages is not null)
        {
            errors.Add(new FieldError("to", "give either 'to' or 'stages', not both"));
            return;
        }

        if (spec.To is null && spec.Stages is null)
        {
            errors.Add(new FieldError("to", "is required: the roles to run ('to'), or 'stages' of roles"));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        if (spec.To is { } to)
        {
            if (to.Count == 0)
            {
                errors.Add(new FieldError("to", "must name at least one role"));
            }

            for (var i = 0; i < to.Count; i++)
            {
                CheckRole(to[i], $"to[{i}]", seen, errors);
                count++;
            }
        }
        else if (spec.Stages is { } stages)
        {
            if (stages.Count == 0)
            {
                errors.Add(new FieldError("stages", "must hold at least one stage"));
            }

            for (var s = 0; s < stages.Count; s++)
            {
                if (stages[s].Count == 0)
                {
                    errors.Add(new FieldError($"stages[{s}]", "must name at least one role"));
                }

                for (var i = 0; i < stages[s].Count; i++)
                {
                    CheckRole(stages[s][i], $"stages[{s}][{i}]", seen, errors);
                    count++;
                }
            }
        }

        if (count > limits.MaxRolesPerTask)
        {
            errors.Add(new FieldError(spec.To is null ? "stages" : "to", $"names {count} roles; at most {limits.MaxRolesPerTask} are allowed per task"));
        }
    }

    private void CheckRole(string role, string field, HashSet<string> seen, List<FieldError> errors)
    {
        if (!Identifiers.IsValidRole(role))
        {
            errors.Add(new FieldError(field, $"'{Snippet.Of(role, 60)}' is not a valid role name ({Identifiers.RolePattern})"));
        }
        else if (!roles.Contains(role))
        {
            var known = string.Join(", ", roles.Names);
            errors.Add(new FieldError(field, $"unknown role '{role}' (configured: {(known.Length == 0 ? "none" : known)})"));
        }
        else if (!seen.Add(role))
        {
            errors.Add(new FieldError(field, $"role '{role}' appears more than once"));
        }
    }
}
