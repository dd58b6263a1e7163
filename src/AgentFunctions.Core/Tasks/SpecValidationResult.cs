namespace AgentFunctions.Core.Tasks;

/// <summary>A valid spec, or every problem found in it.</summary>
public sealed record SpecValidationResult(TaskSpec? Spec, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => Errors.Count == 0 && Spec is not null;

    /// <summary>All problems are size limits, so the answer is 413.</summary>
    public bool IsTooLarge => Errors.Count > 0 && Errors.All(e => e.TooLarge);

    public static SpecValidationResult Valid(TaskSpec spec) => new(spec, []);

    public static SpecValidationResult Invalid(IReadOnlyList<FieldError> errors) => new(null, errors);
}
