using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Prompts;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Tests.Workflow;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Commands;

namespace AgentFunctions.Core.Tests.Prompts;

/// <summary>The envelope and the text an agent receives for a role attempt.</summary>
public class PromptBuilderTests
{
    private const string HowToAnswer = """

        ## How to answer

        Answer with your result as markdown. To say more, answer with one JSON object instead:
        {"status": "completed" | "needs_approval" | "failed", "summary": "one line", "result": "markdown", "permanent": false}
        Use "needs_approval" when a person should check the result before it is accepted, and "failed" with "permanent": true when trying again cannot help.

        """;

    private static readonly TaskSpec Spec = new()
    {
        Id = "t1",
        From = "coordinator",
        Stages = [["implementation"], ["review"]],
        Type = "code:change",
        Instructions = "Review the change.\n",
        Payload = new TaskPayload { Fmt = PayloadFormat.Json, Content = JsonSerializer.SerializeToElement(new { file = "a.cs" }) },
        Context = "# Context\n\nThe login flow.\n",
        Priority = TaskPriority.High,
        TtlSeconds = 3600,
        ReplyTo = "https://example.test/hook",
        ExpectedOutput = "A list of findings.",
    };

    [Fact]
    public void Attempt_carries_the_task_and_the_earlier_stage_results()
    {
        var (state, command) = SecondStage(Spec);

        var attempt = AttemptFactory.Create(state, command);

        Assert.Equal("t1", attempt.TaskId);
        Assert.Equal("review", attempt.Role);
        Assert.Equal(1, attempt.Attempt);
        Assert.Equal(3, attempt.MaxAttempts);
        Assert.Equal("code:change", attempt.Type);
        Assert.Equal("coordinator", attempt.From);
        Assert.Equal(Spec.Context, attempt.Context);
        Assert.Equal("tasks/t1/context.md", attempt.ContextRef);
        Assert.Equal(TaskPriority.High, attempt.Priority);
        Assert.Equal(Plans.T0.AddHours(1), attempt.DeadlineAt);
        Assert.Equal("https://example.test/hook", attempt.ReplyTo);
        Assert.Equal("A list of findings.", attempt.ExpectedOutput);
        Assert.Equal([new AttemptInput("implementation", 0, "wrote the code", "tasks/t1/results/implementation.md", null)], attempt.Inputs);
    }

    [Fact]
    public void Prompt_has_every_section_in_order()
    {
        var (state, command) = SecondStage(Spec);

        var prompt = AttemptFactory.Create(state, command).Prompt;

        var expected = """
            # Task t1: role review

            You are the review agent on a task of type "code:change" (attempt 1 of 3).
            Requested by: coordinator
            Priority: high
            Deadline: 2026-11-25T13:00:00Z

            ## Instructions

            Review the change.

            ## Payload (json)

            ```json
            {
              "file": "a.cs"
            }
            ```

            ## Context

            # Context

            The login flow.

            ## Results of earlier stages

            ### implementation (stage 1)

            Summary: wrote the code
            Result artifact: `tasks/t1/results/implementation.md`

            ## Expected output

            A list of findings.

            """ + HowToAnswer;
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Same_attempt_always_gives_the_same_prompt()
    {
        var (state, command) = SecondStage(Spec);
        var copy = JsonSerializer.Deserialize<TaskState>(JsonSerializer.Serialize(state, CoreJson.Options), CoreJson.Options)!;

        var first = AttemptFactory.Create(state, command);
        var second = AttemptFactory.Create(copy, command);

        Assert.Equal(first.Prompt, second.Prompt);
        Assert.Equal(first.Prompt, PromptBuilder.Build(first));
        Assert.Equal(JsonSerializer.Serialize(first, CoreJson.Options), JsonSerializer.Serialize(second, CoreJson.Options));
    }

    [Fact]
    public void Context_up_to_the_inline_limit_is_in_the_prompt()
    {
        var context = new string('c', PromptBuilder.MaxInlineContextChars);

        var prompt = FirstStagePrompt(Spec with { Context = context });

        Assert.Contains("## Context\n\n" + context + "\n", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("The context is stored as the artifact", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void Larger_context_is_referenced_by_its_artifact()
    {
        var context = new string('c', PromptBuilder.MaxInlineContextChars + 1);

        var prompt = FirstStagePrompt(Spec with { Context = context });

        Assert.Contains("## Context\n\nThe context is stored as the artifact `tasks/t1/context.md`.\n", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("ccc", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void Context_absent_from_the_envelope_is_referenced_when_it_was_stored()
    {
        var attempt = Envelope() with { Context = null, ContextRef = "tasks/t1/context.md" };

        var prompt = PromptBuilder.Build(attempt);

        Assert.Contains("## Context\n\nThe context is stored as the artifact `tasks/t1/context.md`.\n", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void Task_without_context_has_no_context_section()
    {
        var attempt = AttemptFactory.Create(
            WorkflowDecider.Start(Plans.FanOut("implementation"), Plans.T0).State,
            new RunRoleAttempt("implementation", 0, 1, null, TaskPriority.Normal, Plans.FastRetry, []));

        Assert.Null(attempt.ContextRef);
        Assert.DoesNotContain("## Context", attempt.Prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("## Results of earlier stages", attempt.Prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("## Expected output", attempt.Prompt, StringComparison.Ordinal);
        Assert.EndsWith(HowToAnswer, attempt.Prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void Earlier_results_loaded_by_the_engine_are_included_after_their_references()
    {
        var (state, command) = SecondStage(Spec);
        AttemptInput[] inputs = [new("implementation", 0, "wrote the code", "tasks/t1/results/implementation.md", "# Diff\n\n+ fixed\n")];

        var prompt = AttemptFactory.Create(state, command, inputs).Prompt;

        Assert.Contains(
            "### implementation (stage 1)\n\nSummary: wrote the code\nResult artifact: `tasks/t1/results/implementation.md`\n\n# Diff\n\n+ fixed\n",
            prompt,
            StringComparison.Ordinal);
    }

    /// <summary>The task after its first stage succeeded, and the command that runs the second.</summary>
    private static (TaskState State, RunRoleAttempt Command) SecondStage(TaskSpec spec)
    {
        var run = DeciderRun.Start(Plans.Build(spec));
        run.Succeed("implementation", "wrote the code");
        return (run.State, run.Single<RunRoleAttempt>());
    }

    private static string FirstStagePrompt(TaskSpec spec)
    {
        var decision = WorkflowDecider.Start(Plans.Build(spec), Plans.T0);
        return AttemptFactory.Create(decision.State, decision.Commands.OfType<RunRoleAttempt>().Single()).Prompt;
    }

    private static AgentAttempt Envelope() => new()
    {
        TaskId = "t1",
        Role = "review",
        Attempt = 2,
        MaxAttempts = 5,
        Type = "task",
        Prompt = string.Empty,
    };
}
