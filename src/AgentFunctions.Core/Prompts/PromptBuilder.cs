using System.Globalization;
using System.Text;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Prompts;

/// <summary>
/// Builds the text an agent receives for a role attempt. Deterministic: the same attempt always
/// gives the same prompt, so retries and re-runs see identical input.
/// </summary>
public static class PromptBuilder
{
    /// <summary>Inline context up to this size goes into the prompt; larger context is referenced.</summary>
    public const int MaxInlineContextChars = 256 * 1024;

    public static string Build(AgentAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Task {attempt.TaskId}: role {attempt.Role}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"You are the {attempt.Role} agent on a task of type \"{attempt.Type}\"");
        text.Append(attempt.MaxAttempts > 0
            ? string.Create(CultureInfo.InvariantCulture, $" (attempt {attempt.Attempt} of {attempt.MaxAttempts}).\n")
            : string.Create(CultureInfo.InvariantCulture, $" (attempt {attempt.Attempt}).\n"));
        if (!string.IsNullOrWhiteSpace(attempt.From))
        {
            text.Append(CultureInfo.InvariantCulture, $"Requested by: {attempt.From}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Priority: {Names.Of(attempt.Priority)}\n");
        if (attempt.DeadlineAt is { } deadline)
        {
            text.Append(CultureInfo.InvariantCulture, $"Deadline: {deadline.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\n");
        }

        if (!string.IsNullOrWhiteSpace(attempt.Instructions))
        {
            text.Append("\n## Instructions\n\n").Append(attempt.Instructions.TrimEnd()).Append('\n');
        }

        if (attempt.Payload is { } payload)
        {
            var fence = payload.Fmt == Tasks.PayloadFormat.Json ? "json" : "text";
            text.Append(CultureInfo.InvariantCulture, $"\n## Payload ({fence})\n\n");
            text.Append("```").Append(fence).Append('\n').Append(payload.Render().TrimEnd()).Append("\n```\n");
        }

        if (!string.IsNullOrEmpty(attempt.Context) && attempt.Context.Length <= MaxInlineContextChars)
        {
            text.Append("\n## Context\n\n").Append(attempt.Context.TrimEnd()).Append('\n');
        }
        else if (attempt.ContextRef is not null)
        {
            text.Append("\n## Context\n\n");
            text.Append(CultureInfo.InvariantCulture, $"The context is stored as the artifact `{attempt.ContextRef}`.\n");
        }

        if (attempt.Inputs.Count > 0)
        {
            text.Append("\n## Results of earlier stages\n");
            foreach (var input in attempt.Inputs)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n### {input.Role} (stage {input.Stage + 1})\n\n");
                if (!string.IsNullOrWhiteSpace(input.Summary))
                {
                    text.Append(CultureInfo.InvariantCulture, $"Summary: {input.Summary.Trim()}\n");
                }

                if (input.ResultRef is not null)
                {
                    text.Append(CultureInfo.InvariantCulture, $"Result artifact: `{input.ResultRef}`\n");
                }

                if (!string.IsNullOrWhiteSpace(input.Content))
                {
                    text.Append('\n').Append(input.Content.TrimEnd()).Append('\n');
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(attempt.ExpectedOutput))
        {
            text.Append("\n## Expected output\n\n").Append(attempt.ExpectedOutput.TrimEnd()).Append('\n');
        }

        text.Append("\n## How to answer\n\n");
        text.Append("Answer with your result as markdown. To say more, answer with one JSON object instead:\n");
        text.Append("{\"status\": \"completed\" | \"needs_approval\" | \"failed\", \"summary\": \"one line\", \"result\": \"markdown\", \"permanent\": false}\n");
        text.Append("Use \"needs_approval\" when a person should check the result before it is accepted, ");
        text.Append("and \"failed\" with \"permanent\": true when trying again cannot help.\n");
        return text.ToString();
    }
}
