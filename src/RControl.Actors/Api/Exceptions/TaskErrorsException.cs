namespace RControl;

/// <summary>Several task errors reported together by a wait-for-tasks (the original's <c>TaskErrors</c>).</summary>
public sealed class TaskErrorsException : BaseTaskException
{
    public TaskErrorsException(IReadOnlyList<BaseTaskException> errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    /// <summary>Every error, in the order the tasks ended.</summary>
    public IReadOnlyList<BaseTaskException> Errors { get; }

    private static string Format(IReadOnlyList<BaseTaskException> errors) =>
        $"{errors.Count} task error(s):" + string.Concat(errors.Select(e => Environment.NewLine + "  - " + e.Message));
}
