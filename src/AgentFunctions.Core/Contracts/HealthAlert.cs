namespace AgentFunctions.Core.Contracts;

/// <summary>
/// An alert that makes <c>/api/health</c> answer <c>degraded</c>: which role, which rule (<c>max_depth</c>,
/// <c>max_oldest_wait_seconds</c>, <c>max_failure_ratio</c>, <c>max_dead_letters_per_hour</c>, <c>circuit_open</c>),
/// the value seen, the threshold, and a sentence.
/// </summary>
public sealed record HealthAlert(string Role, string Kind, double Value, double? Threshold, string Message);
