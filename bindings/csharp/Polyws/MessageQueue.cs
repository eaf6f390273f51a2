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
    internal sealed class MessageQueue
    {
        private readonly object _lock = new object();
        private readonly Queue<WebSocketMessage> _messages = new Queue<WebSocketMessage>();
        private readonly LinkedList<TaskCompletionSource<WebSocketMessage>> _readers =
            new LinkedList<TaskCompletionSource<WebSocketMessage>>();
        private bool _completed;

        public void Enqueue(WebSocketMessage message)
        {
            TaskCompletionSource<WebSocketMessage> reader = null;
            lock (_lock)
            {
                if (_completed) return;
                if (_readers.Count > 0)
                {
                    reader = _readers.First.Value;
                    _readers.RemoveFirst();
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
                if (_messages.Count > 0) return Task.FromResult(_messages.Dequeue());
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
