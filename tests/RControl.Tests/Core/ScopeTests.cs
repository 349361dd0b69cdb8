using RControl.Tests.Support;

namespace RControl.Tests.Core;

public sealed class ScopeTests : IAsyncLifetime
{
    private readonly Engine _engine = new();

    private RControlSystem System => _engine.System;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Scope_waits_for_tasks_and_closes_the_session()
    {
        var session = System.CreateLocalSession("scoped");
        var lines = new List<string>();
        await session.RunScopedAsync(s =>
        {
            s.Execute("sleep 0.2; echo done", new CommandOptions { OnStdout = (_, l) => lines.Add(l) });
            return Task.CompletedTask;
        });
        Assert.Equal(["done"], lines);
        Assert.True(session.IsClosed);
    }

    [Fact]
    public async Task Scope_raises_task_errors_when_the_body_succeeded()
    {
        var session = System.CreateLocalSession("scoped");
        var errors = await Assert.ThrowsAsync<TaskErrorsException>(() => session.RunScopedAsync(s =>
        {
            s.Execute("exit 1");
            return Task.CompletedTask;
        }));
        Assert.IsType<ExitCodeException>(Assert.Single(errors.Errors));
        Assert.True(session.IsClosed);
    }

    [Fact]
    public async Task Scope_lets_the_body_exception_through_and_does_not_hide_it_under_task_errors()
    {
        var session = System.CreateLocalSession("scoped");
        var bodyError = new InvalidOperationException("the body failed");
        CommandTask? task = null;
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => session.RunScopedAsync(s =>
        {
            task = s.Execute("exit 1");
            throw bodyError;
        }));
        Assert.Same(bodyError, thrown);
        // The task error was waited for (and logged), not lost in a running task.
        Assert.False(task!.IsRunning);
        Assert.IsType<ExitCodeException>(task.Error);
        Assert.True(session.IsClosed);
    }

    [Fact]
    public async Task Scope_without_auto_close_keeps_the_session_open()
    {
        var session = System.CreateLocalSession("scoped");
        session.AutoClose = false;
        await session.RunScopedAsync(s =>
        {
            s.Execute("true");
            return Task.CompletedTask;
        });
        Assert.False(session.IsClosed);
        Assert.Equal(0, await session.Execute("true").WaitAsync());
    }
}
