namespace AgentFunctions.Core.Contracts;

/// <summary>One entry of a validation problem's <c>errors</c>: the field (<c>to[0]</c>, <c>retry.maxDelay</c>) and what is wrong with it.</summary>
public sealed record FieldProblem(string Field, string Message);
