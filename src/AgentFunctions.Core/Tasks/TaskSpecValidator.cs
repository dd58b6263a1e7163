using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;

namespace AgentFunctions.Core.Tasks;

/// <summary>
/// Reads a submitted spec and checks it against the limits and the role catalog, reporting
/// every problem at once, field by field. Unknown fields are ignored so that coordinators
/// may carry their own metadata.
/// </summary>
public sealed class TaskSpecValidator(RoleCatalog roles, TaskLimits limits)
{
    public const int MaxFromLength = 200;
    public const int MaxReplyToLength = 2048;
    public const string DefaultType = "task";

    private const string DelayRange = "must be between 00:00:00.001 and 1.00:00:00";

    /// <summary>Bounds of any retry delay, as for <c>Roles:&lt;name&gt;:Retry:*</c> (Durable refuses a zero delay).</summary>
    private static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(1);

    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);

    private static readonly string PriorityNames = string.Join(", ", Enum.GetNames<TaskPriority>().Select(n => n.ToLowerInvariant()));

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

        var spec = Read(json, errors);
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
    /// the last one counts when the property repeats, as in <see cref="Read"/>.
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

    private static TaskSpec Read(JsonElement json, List<FieldError> errors)
    {
        var spec = new TaskSpec { Type = DefaultType };
        foreach (var property in json.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "id":
                    spec = spec with { Id = ReadString(property, errors) };
                    break;
                case "from":
                    spec = spec with { From = ReadString(property, errors) };
                    break;
                case "to":
                    spec = spec with { To = ReadRoleList(value, "to", errors, allowSingle: true) };
                    break;
                case "stages":
                    spec = spec with { Stages = ReadStages(value, errors) };
                    break;
                case "type":
                    spec = spec with { Type = ReadString(property, errors) ?? DefaultType };
                    break;
                case "instructions":
                    spec = spec with { Instructions = ReadString(property, errors) };
                    break;
                case "payload":
                    spec = spec with { Payload = ReadPayload(value, errors) };
                    break;
                case "context":
                    spec = spec with { Context = ReadString(property, errors) };
                    break;
                case "priority":
                    spec = spec with { Priority = ReadPriority(value, errors) };
                    break;
                case "ttlSeconds":
                    spec = spec with { TtlSeconds = ReadInt(property, errors) };
                    break;
                case "replyTo":
                    spec = spec with { ReplyTo = ReadString(property, errors) };
                    break;
                case "requiresApproval":
                    spec = spec with { RequiresApproval = ReadBool(property, errors) };
                    break;
                case "expectedOutput":
                    spec = spec with { ExpectedOutput = ReadString(property, errors) };
                    break;
                case "retry":
                    spec = spec with { Retry = ReadRetry(value, errors) };
                    break;
                case "approvalTimeoutSeconds":
                    spec = spec with { ApprovalTimeoutSeconds = ReadInt(property, errors) };
                    break;
            }
        }

        return spec;
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
            errors.Add(new FieldError("priority", $"must be one of {PriorityNames}"));
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

        if (spec.TtlSeconds is { } ttl && (ttl < limits.MinTtlSeconds || ttl > limits.MaxTtlSeconds))
        {
            errors.Add(new FieldError("ttlSeconds", $"must be between {limits.MinTtlSeconds} and {limits.MaxTtlSeconds}"));
        }

        if (spec.ApprovalTimeoutSeconds is { } approvalTimeout && (approvalTimeout < 1 || approvalTimeout > limits.MaxTtlSeconds))
        {
            errors.Add(new FieldError("approvalTimeoutSeconds", $"must be between 1 and {limits.MaxTtlSeconds}"));
        }

        CheckRetry(spec, errors);
    }

    /// <summary>A typed payload obeys what <see cref="ReadPayload"/> enforces on JSON.</summary>
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
            errors.Add(new FieldError(field, $"'{Shorten(role)}' is not a valid role name ({Identifiers.RolePattern})"));
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

    /// <summary>
    /// A task may only narrow the schedule of each of its roles: no more attempts than the role allows and no
    /// wait longer than the role's maxDelay. Values must first lie within the global bounds of any schedule.
    /// </summary>
    private void CheckRetry(TaskSpec spec, List<FieldError> errors)
    {
        if (spec.Retry is not { } retry)
        {
            return;
        }

        var roleDefinitions = spec.AllRoles().Where(Identifiers.IsValidRole).Distinct(StringComparer.Ordinal)
            .Select(roles.Find).OfType<RoleDefinition>().ToList();
        if (retry.MaxAttempts is { } attempts)
        {
            if (attempts < 1 || attempts > RetrySchedule.AttemptsCap)
            {
                errors.Add(new FieldError("retry.maxAttempts", $"must be between 1 and {RetrySchedule.AttemptsCap}"));
            }
            else
            {
                foreach (var role in roleDefinitions.Where(r => attempts > r.Retry.MaxAttempts))
                {
                    errors.Add(new FieldError("retry.maxAttempts", $"must not exceed the maxAttempts of role '{role.Name}' ({role.Retry.MaxAttempts})"));
                }
            }
        }

        if (retry.FirstDelay is { } first)
        {
            if (!IsDelayInRange(first))
            {
                errors.Add(new FieldError("retry.firstDelay", DelayRange));
            }
            else
            {
                AddOverRoleMaxDelay("retry.firstDelay", first, roleDefinitions, errors);
            }
        }

        if (retry.BackoffCoefficient is { } coefficient && (!double.IsFinite(coefficient) || coefficient < 1 || coefficient > 100))
        {
            errors.Add(new FieldError("retry.backoffCoefficient", "must be between 1 and 100"));
        }

        if (retry.MaxDelay is { } max)
        {
            if (!IsDelayInRange(max))
            {
                errors.Add(new FieldError("retry.maxDelay", DelayRange));
            }
            else if (retry.FirstDelay is { } firstDelay && max < firstDelay)
            {
                errors.Add(new FieldError("retry.maxDelay", "must not be shorter than retry.firstDelay"));
            }
            else
            {
                AddOverRoleMaxDelay("retry.maxDelay", max, roleDefinitions, errors);
            }
        }
    }

    private static bool IsDelayInRange(TimeSpan delay) => delay >= MinDelay && delay <= MaxDelay;

    private static void AddOverRoleMaxDelay(string field, TimeSpan delay, List<RoleDefinition> roleDefinitions, List<FieldError> errors)
    {
        foreach (var role in roleDefinitions.Where(r => delay > r.Retry.MaxDelay))
        {
            errors.Add(new FieldError(field, $"must not exceed the maxDelay of role '{role.Name}' ({role.Retry.MaxDelay:c})"));
        }
    }

    private static string? ReadString(JsonProperty property, List<FieldError> errors)
    {
        switch (property.Value.ValueKind)
        {
            case JsonValueKind.String:
                return property.Value.GetString();
            case JsonValueKind.Null:
                return null;
            default:
                errors.Add(new FieldError(property.Name, "must be a string"));
                return null;
        }
    }

    private static int? ReadInt(JsonProperty property, List<FieldError> errors)
    {
        switch (property.Value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number when property.Value.TryGetInt32(out var value):
                return value;
            default:
                errors.Add(new FieldError(property.Name, "must be a whole number"));
                return null;
        }
    }

    private static bool ReadBool(JsonProperty property, List<FieldError> errors)
    {
        switch (property.Value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False or JsonValueKind.Null:
                return false;
            default:
                errors.Add(new FieldError(property.Name, "must be true or false"));
                return false;
        }
    }

    private static List<string>? ReadRoleList(JsonElement value, string field, List<FieldError> errors, bool allowSingle)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String when allowSingle:
                return [value.GetString()!];
            case JsonValueKind.Array:
                var list = new List<string>();
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        list.Add(item.GetString()!);
                    }
                    else
                    {
                        errors.Add(new FieldError($"{field}[{index}]", "must be a role name (string)"));
                    }

                    index++;
                }

                return list;
            default:
                errors.Add(new FieldError(field, allowSingle ? "must be a role name or an array of role names" : "must be an array of role names"));
                return null;
        }
    }

    private static List<IReadOnlyList<string>>? ReadStages(JsonElement value, List<FieldError> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new FieldError("stages", "must be an array of arrays of role names"));
            return null;
        }

        var stages = new List<IReadOnlyList<string>>();
        var index = 0;
        foreach (var stage in value.EnumerateArray())
        {
            var roleList = ReadRoleList(stage, $"stages[{index}]", errors, allowSingle: false);
            stages.Add(roleList ?? []);
            index++;
        }

        return stages;
    }

    private static TaskPayload? ReadPayload(JsonElement value, List<FieldError> errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return new TaskPayload { Fmt = PayloadFormat.Text, Content = value.Clone() };
            case JsonValueKind.Object:
                break;
            default:
                errors.Add(new FieldError("payload", "must be an object { \"fmt\": \"text\" | \"json\", \"content\": ... } or a string"));
                return null;
        }

        var fmt = PayloadFormat.Text;
        if (value.TryGetProperty("fmt", out var fmtElement) && fmtElement.ValueKind != JsonValueKind.Null)
        {
            var text = fmtElement.ValueKind == JsonValueKind.String ? fmtElement.GetString() : null;
            if (string.Equals(text, "json", StringComparison.Ordinal))
            {
                fmt = PayloadFormat.Json;
            }
            else if (!string.Equals(text, "text", StringComparison.Ordinal))
            {
                errors.Add(new FieldError("payload.fmt", "must be \"text\" or \"json\""));
                return null;
            }
        }

        JsonElement content = default;
        var found = false;
        foreach (var name in (ReadOnlySpan<string>)["content", "data", "body"])
        {
            if (value.TryGetProperty(name, out content))
            {
                found = true;
                break;
            }
        }

        if (!found)
        {
            errors.Add(new FieldError("payload.content", "is required"));
            return null;
        }

        if (fmt == PayloadFormat.Text && content.ValueKind != JsonValueKind.String)
        {
            errors.Add(new FieldError("payload.content", "must be a string when fmt is \"text\""));
            return null;
        }

        return new TaskPayload { Fmt = fmt, Content = content.Clone() };
    }

    private static TaskPriority ReadPriority(JsonElement value, List<FieldError> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return TaskPriority.Normal;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        foreach (var priority in Enum.GetValues<TaskPriority>())
        {
            if (string.Equals(priority.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return priority;
            }
        }

        errors.Add(new FieldError("priority", $"must be one of {PriorityNames}"));
        return TaskPriority.Normal;
    }

    private static TaskRetryOverride? ReadRetry(JsonElement value, List<FieldError> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("retry", "must be an object with maxAttempts, firstDelay, backoffCoefficient or maxDelay"));
            return null;
        }

        var retry = new TaskRetryOverride();
        foreach (var property in value.EnumerateObject())
        {
            var field = "retry." + property.Name;
            switch (property.Name)
            {
                case "maxAttempts":
                    if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var attempts))
                    {
                        retry = retry with { MaxAttempts = attempts };
                    }
                    else
                    {
                        errors.Add(new FieldError(field, "must be a whole number"));
                    }

                    break;
                case "backoffCoefficient":
                    if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var coefficient))
                    {
                        retry = retry with { BackoffCoefficient = coefficient };
                    }
                    else
                    {
                        errors.Add(new FieldError(field, "must be a number"));
                    }

                    break;
                case "firstDelay":
                    retry = retry with { FirstDelay = ReadDuration(property.Value, field, errors) };
                    break;
                case "maxDelay":
                    retry = retry with { MaxDelay = ReadDuration(property.Value, field, errors) };
                    break;
            }
        }

        return retry;
    }

    /// <summary>A duration as a TimeSpan string ("00:00:02") or a number of seconds.</summary>
    private static TimeSpan? ReadDuration(JsonElement value, string field, List<FieldError> errors)
    {
        if (value.ValueKind == JsonValueKind.String && TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var span))
        {
            return span;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && double.IsFinite(seconds) && Math.Abs(seconds) < 1e9)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        errors.Add(new FieldError(field, "must be a duration such as \"00:00:02\" or a number of seconds"));
        return null;
    }

    private static string Shorten(string? text) => text is null ? string.Empty : text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
}
