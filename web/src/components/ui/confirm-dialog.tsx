import { useId, useState, type ReactNode } from 'react';

import { Button } from './button';
import { Modal } from './modal';

export interface ConfirmRequest {
  title: string;
  /** What happens if the user confirms, in a sentence. */
  message: ReactNode;
  confirmLabel: string;
  tone?: 'danger' | 'primary';
  onConfirm: () => void;
}

/**
 * An in-app confirmation (not the browser's `confirm()`): an `alertdialog` that names what will
 * happen, focuses Cancel first so Enter never confirms by accident, and closes on Escape.
 */
export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest; onClose: () => void }) {
  const messageId = useId();
  return (
    <Modal title={request.title} onClose={onClose} role="alertdialog" describedBy={messageId}>
      <p id={messageId} className="text-sm break-words">
        {request.message}
      </p>
      <div className="mt-4 flex justify-end gap-2">
        <Button data-autofocus onClick={onClose}>
          Cancel
        </Button>
        <Button
          variant={request.tone === 'primary' ? 'primary' : 'danger'}
          onClick={() => {
            onClose();
            request.onConfirm();
          }}
        >
          {request.confirmLabel}
        </Button>
      </div>
    </Modal>
  );
}

/**
 * A confirmation to ask from a click handler: `ask({...})` opens it, `dialog` renders it.
 *   const { ask, dialog } = useConfirm();
 */
export function useConfirm(): { ask: (request: ConfirmRequest) => void; dialog: ReactNode } {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const dialog = request ? <ConfirmDialog request={request} onClose={() => setRequest(null)} /> : null;
  return { ask: setRequest, dialog };
}
