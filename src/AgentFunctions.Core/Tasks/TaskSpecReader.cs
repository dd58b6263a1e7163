using System.Globalization;
using System.Text.Json;

namespace AgentFunctions.Core.Tasks;

/// <summary>
/// Reads a submitted spec from JSON into a <see cref="TaskSpec"/>, noting every field of the wrong shape as a
/// <see cref="FieldError"/>; <see cref="TaskSpecValidator"/> then checks what was read. Lenient where people type
/// specs by hand: <c>to</c> may be one role, a payload a plain string, a duration a number of seconds.
/// </summary>
internal static class TaskSpecReader
{
    public static readonly string PriorityNames = string.Join(", ", Enum.GetNames<TaskPriority>().Select(n => n.ToLowerInvariant()));

    /// <summary>
    /// Reads the fields a spec has; a field of the wrong shape adds its error and is left out. Unknown fields are
    /// ignored, and a repeated field's last value counts.
    /// </summary>
    public static TaskSpec Read(JsonElement json, List<FieldError> errors)
    {
        var spec = new TaskSpec { Type = TaskSpecValidator.DefaultType };
        foreach (var property in json.EnumerateObject())
        {
            var value = property.Value;
            spec = property.Name switch
            {
                "id" => spec with { Id = ReadString(property, errors) },
                "from" => spec with { From = ReadString(property, errors) },
                "to" => spec with { To = ReadRoleList(value, "to", errors, allowSingle: true) },
                "stages" => ReadStages(spec, value, errors),
                "requires" => spec with { Requires = ReadNames(value, "requires", errors) },
                "type" => spec with { Type = ReadString(property, errors) ?? TaskSpecValidator.DefaultType },
                "instructions" => spec with { Instructions = ReadString(property, errors) },
                "payload" => spec with { Payload = ReadPayload(value, errors) },
                "context" => spec with { Context = ReadString(property, errors) },
                "priority" => spec with { Priority = ReadPriority(value, errors) },
                "ttlSeconds" => spec with { TtlSeconds = ReadInt(property, errors) },
                "replyTo" => spec with { ReplyTo = ReadString(property, errors) },
                "requiresApproval" => spec with { RequiresApproval = ReadBool(property, errors) },
                "expectedOutput" => spec with { ExpectedOutput = ReadString(property, errors) },
                "retry" => spec with { Retry = ReadRetry(value, errors) },
                "approvalTimeoutSeconds" => spec with { ApprovalTimeoutSeconds = ReadInt(property, errors) },
                _ => spec,
            };
        }

        return spec;
    }

    private static string? ReadString(JsonProperty property, List<FieldError> errors) => property.Value.ValueKind switch
    {
        JsonValueKind.String => property.Value.GetString(),
        JsonValueKind.Null => null,
        _ => Refuse<string?>(errors, property.Name, "must be a string", null),
    };

    private static int? ReadInt(JsonProperty property, List<FieldError> errors) => property.Value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.Number when property.Value.TryGetInt32(out var value) => value,
        _ => Refuse<int?>(errors, property.Name, "must be a whole number", null),
    };

    private static bool ReadBool(JsonProperty property, List<FieldError> errors) => property.Value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False or JsonValueKind.Null => false,
        _ => Refuse(errors, property.Name, "must be true or false", false),
    };

    /// <summary>Records why a field could not be read and gives what the spec gets instead.</summary>
    private static T Refuse<T>(List<FieldError> errors, string field, string message, T instead)
    {
        errors.Add(new FieldError(field, message));
        return instead;
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

    /// <summary>
    /// <c>stages</c>: each stage an array of role names, or an object <c>{ "roles": [...], "requires": [...] }</c> whose
    /// attempts need those capabilities on top of the task's <c>requires</c>.
    /// </summary>
    private static TaskSpec ReadStages(TaskSpec spec, JsonElement value, List<FieldError> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return spec with { Stages = null, StageRequires = null };
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new FieldError("stages", "must be an array of stages, each an array of role names or { \"roles\": [...], \"requires\": [...] }"));
            return spec with { Stages = null, StageRequires = null };
        }

        var stages = new List<IReadOnlyList<string>>();
        var requires = new List<IReadOnlyList<string>>();
        var index = 0;
        foreach (var stage in value.EnumerateArray())
        {
            var field = $"stages[{index}]";
            if (stage.ValueKind == JsonValueKind.Object)
            {
                // A stage object without roles is an empty stage, which the validator refuses.
                List<string>? roleList = null;
                List<string>? stageRequires = null;
                foreach (var property in stage.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "roles":
                            roleList = ReadRoleList(property.Value, field + ".roles", errors, allowSingle: false);
                            break;
                        case "requires":
                            stageRequires = ReadNames(property.Value, field + ".requires", errors);
                            break;
                    }
                }

                stages.Add(roleList ?? []);
                requires.Add(stageRequires ?? []);
            }
            else
            {
                stages.Add(ReadRoleList(stage, field, errors, allowSingle: false) ?? []);
                requires.Add([]);
            }

            index++;
        }

        return spec with { Stages = stages, StageRequires = requires.Any(r => r.Count > 0) ? requires : null };
    }

    /// <summary>An array of names (capabilities); the names themselves are checked by the validator.</summary>
    private static List<string>? ReadNames(JsonElement value, string field, List<FieldError> errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Array:
                var names = new List<string>();
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        names.Add(item.GetString()!);
                    }
                    else
                    {
                        errors.Add(new FieldError($"{field}[{index}]", "must be a capability name (string)"));
                    }

                    index++;
                }

                return names;
            default:
                errors.Add(new FieldError(field, "must be an array of capability names such as [\"database\", \"gpu\"]"));
                return null;
        }
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
}
