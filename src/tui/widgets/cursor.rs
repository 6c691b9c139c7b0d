//! A scrolled position in a list of rows: the selected row and the first row shown.

/// A scrolled list position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Moves by `delta` within `len` rows and keeps the selection in a window of `height`.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        let target = (self.selected as isize)
            .saturating_add(delta)
            .clamp(0, len as isize - 1);
        self.selected = target as usize;
        self.scroll_into_view(height);
    }

    /// Selects `row` (clamped to `len`) and scrolls it into a window of `height`.
    pub fn select(&mut self, row: usize, len: usize, height: usize) {
        self.selected = row;
        self.clamp(len, height);
    }

    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }

    /// Keeps the cursor inside `len` rows, and the window as full as it can be.
    pub fn clamp(&mut self, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
        } else {
            self.selected = self.selected.min(len - 1);
            self.offset = self.offset.min(len.saturating_sub(height.max(1)));
            self.scroll_into_view(height);
        }
    }

    /// The first row to draw in a window of `height` so that the selection is
    /// visible, whatever the window was when the cursor last moved.
    pub fn window_start(&self, height: usize) -> usize {
        let mut c = *self;
        c.scroll_into_view(height);
        c.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_stay_inside_and_scroll() {
        let mut c = Cursor::default();
        c.step(5, 10, 3);
        assert_eq!((c.selected, c.offset), (5, 3));
        c.step(100, 10, 3);
        assert_eq!((c.selected, c.offset), (9, 7));
        c.step(-100, 10, 3);
        assert_eq!((c.selected, c.offset), (0, 0));
        c.step(1, 0, 3);
        assert_eq!(c, Cursor::default());
    }

    #[test]
    fn clamp_keeps_the_window_full() {
        let mut c = Cursor {
            selected: 50,
            offset: 45,
        };
        c.clamp(20, 5);
        assert_eq!((c.selected, c.offset), (19, 15));
        assert_eq!(
            Cursor {
                selected: 30,
                offset: 0
            }
            .window_start(10),
            21
        );
    }
}
