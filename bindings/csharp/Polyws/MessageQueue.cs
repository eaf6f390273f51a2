using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Polyws
{
    /// <summary>
    /// Received messages waiting for ReceiveAsync: filled by the dispatch thread,
    /// drained by any number of awaiting readers. Completed (readers get null) when
    /// the connection is closed for good.
    /// </summary>
    /// <remarks>
    /// Bounded without ever blocking the dispatch thread: every message in it is
    /// counted by the socket's <see cref="ReceiveBacklog"/> until a reader takes it,
    /// and the backlog pauses the socket in the library while the queue is full.
    /// </remarks>
    internal sealed class MessageQueue
    {
        private readonly object _lock = new object();
        private readonly ReceiveBacklog _backlog;
        private readonly Queue<WebSocketMessage> _messages = new Queue<WebSocketMessage>();
        private readonly LinkedList<TaskCompletionSource<WebSocketMessage>> _readers =
            new LinkedList<TaskCompletionSource<WebSocketMessage>>();
        private bool _completed;

        public MessageQueue(ReceiveBacklog backlog) => _backlog = backlog;

        /// <summary>Messages waiting for a reader.</summary>
        public int Count
        {
            get { lock (_lock) return _messages.Count; }
        }

        /// <summary>Adds a message counted as taken by the backlog (it counts as consumed
        /// once a reader has it).</summary>
        public void Enqueue(WebSocketMessage message)
        {
            TaskCompletionSource<WebSocketMessage> reader = null;
            lock (_lock)
            {
                if (_completed)
                {
                    _backlog.Consumed(message);
                    return;
                }
                if (_readers.Count > 0)
                {
                    reader = _readers.First.Value;
                    _readers.RemoveFirst();
                    _backlog.Consumed(message);
                }
                else
                {
                    _messages.Enqueue(message);
                }
            }
            // Outside the lock; continuations run asynchronously (see Dequeue).
            reader?.TrySetResult(message);
        }

        public void Complete()
        {
            List<TaskCompletionSource<WebSocketMessage>> readers;
            lock (_lock)
            {
                if (_completed) return;
                _completed = true;
                readers = new List<TaskCompletionSource<WebSocketMessage>>(_readers);
                _readers.Clear();
            }
            foreach (var r in readers) r.TrySetResult(null);
        }

        public Task<WebSocketMessage> DequeueAsync(CancellationToken cancellationToken)
        {
            LinkedListNode<TaskCompletionSource<WebSocketMessage>> node;
            lock (_lock)
            {
                if (_messages.Count > 0)
                {
                    WebSocketMessage message = _messages.Dequeue();
                    _backlog.Consumed(message);
                    return Task.FromResult(message);
                }
                if (_completed) return Task.FromResult<WebSocketMessage>(null);
                if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<WebSocketMessage>(cancellationToken);
                // Continuations never run on the dispatch thread inside Enqueue.
                var tcs = new TaskCompletionSource<WebSocketMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
                node = _readers.AddLast(tcs);
            }
            if (cancellationToken.CanBeCanceled)
            {
                var registration = cancellationToken.Register(() =>
                {
                    bool removed;
                    lock (_lock)
                    {
                        removed = node.List != null;
                        if (removed) _readers.Remove(node);
                    }
                    if (removed) node.Value.TrySetCanceled(cancellationToken);
                });
                node.Value.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
            }
            return node.Value.Task;
        }
    }
}
