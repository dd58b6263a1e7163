using AgentFunctions.Core.Text;

namespace AgentFunctions.Core.Tasks;

/// <summary>What <see cref="TaskSpecValidator"/> requires of a task's capability requirements (<c>requires</c>).</summary>
internal static class TaskRequirementRules
{
    /// <summary>
    /// <c>requires</c> of the task and of each stage: capability names (the role name rule), each once, at most
    /// <see cref="Identifiers.MaxRequirements"/> per task, per stage, and for a stage with the task's together.
    /// </summary>
    public static void Check(TaskSpec spec, List<FieldError> errors)
    {
        CheckNames(spec.Requires, "requires", errors);
        if (spec.StageRequires is not { } perStage)
        {
            return;
        }

        if (spec.Stages is null || perStage.Count != spec.Stages.Count)
        {
            errors.Add(new FieldError("stages", "stage requirements need their stages: give requires inside each stage object of 'stages'"));
            return;
        }

        for (var s = 0; s < perStage.Count; s++)
        {
            var field = $"stages[{s}].requires";
            if (CheckNames(perStage[s], field, errors) && spec.RequirementsOf(s).Count > Identifiers.MaxRequirements)
            {
                errors.Add(new FieldError(field, $"with the task's requires, the stage needs {spec.RequirementsOf(s).Count} capabilities; at most {Identifiers.MaxRequirements} are allowed"));
            }
        }
    }

    /// <summary>Whether <paramref name="names"/> (when given) are valid, distinct and few enough; adds an error per problem.</summary>
    private static bool CheckNames(IReadOnlyList<string>? names, string field, List<FieldError> errors)
    {
        if (names is null)
        {
            return true;
        }

        var valid = true;
        if (names.Count > Identifiers.MaxRequirements)
        {
            errors.Add(new FieldError(field, $"names {names.Count} capabilities; at most {Identifiers.MaxRequirements} are allowed"));
            valid = false;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (!Identifiers.IsValidCapability(names[i]))
            {
                errors.Add(new FieldError($"{field}[{i}]", $"'{Snippet.Of(names[i], 60)}' is not a valid capability name ({Identifiers.CapabilityPattern})"));
                valid = false;
            }
            else if (!seen.Add(names[i]))
            {
                errors.Add(new FieldError($"{field}[{i}]", $"capability '{names[i]}' appears more than once"));
                valid = false;
            }
        }

        return valid;
    }
}
