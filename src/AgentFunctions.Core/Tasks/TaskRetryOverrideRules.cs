using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;

namespace AgentFunctions.Core.Tasks;

/// <summary>What <see cref="TaskSpecValidator"/> requires of a task's <c>retry</c> override.</summary>
internal static class TaskRetryOverrideRules
{
    private const string DelayRange = "must be between 00:00:00.001 and 1.00:00:00";

    /// <summary>Bounds of any retry delay, as for <c>Roles:&lt;name&gt;:Retry:*</c> (Durable refuses a zero delay).</summary>
    private static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(1);

    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);

    /// <summary>
    /// A task may only narrow the schedule of each of its roles: no more attempts than the role allows and no
    /// wait longer than the role's maxDelay. Values must first lie within the global bounds of any schedule.
    /// </summary>
    public static void Check(TaskRetryOverride retry, List<RoleDefinition> roleDefinitions, List<FieldError> errors)
    {
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
}
